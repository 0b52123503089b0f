package io.otpj.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.test.OtpjTest;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A registry belongs to the node it was started in: the same registry name in two nodes never meets. */
@OtpjTest
class RegistryPerNodeTest {

    @Test
    void theSameRegistryNameInTwoNodesHoldsTwoTables(Node node) {
        Node other = Node.start(NodeOptions.named(node.name() + "-other").withShutdownHook(false));
        try {
            Registry<String, String> here = Registry.start(RegistryOptions.unique("accounts"));
            Registry<String, String> there = other.call(() -> Registry.start(RegistryOptions.unique("accounts")));
            assertNotEquals(here, there, "handles of two nodes' registries");
            assertEquals(Optional.of(here), Registry.named("accounts"));
            assertEquals(Optional.of(there), other.call(() -> Registry.<String, String>named("accounts")));

            CompletableFuture<Pid> registered = new CompletableFuture<>();
            Pid holder = other.spawn(() -> {
                there.register("alice", "in other");
                registered.complete(Proc.self());
                Proc.receive();
            });
            assertEquals(holder, registered.join());
            assertEquals(1, there.lookup("alice").size());
            assertTrue(here.lookup("alice").isEmpty(), "nothing leaks into this node's registry");
            // A via-name resolves in its registry's node, whatever node the caller is in.
            assertEquals(Optional.of(holder), Optional.ofNullable(there.whereisName("alice")));
            assertEquals(null, here.whereisName("alice"));

            other.stop(Duration.ofSeconds(5));
            assertFalse(holder.isAlive());
            assertEquals(Optional.empty(), other.call(() -> Registry.named("accounts")), "stopped with its node");
            assertEquals(Optional.of(here), Registry.named("accounts"));
            TestKit.eventually(() -> other.processCount() == 0, Duration.ofSeconds(10), "the other node is empty");
        } finally {
            other.stop(Duration.ZERO);
            Registry.named("accounts").ifPresent(TestSupport::stopQuietly);
        }
    }
}
