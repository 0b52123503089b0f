package io.otpj.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Run as a separate JVM by {@link ShutdownHookTest}: a node with three applications, whose roots
 * print their terminate; the first one's terminate never returns. Prints {@code ready} and
 * waits to be sent SIGTERM.
 */
public final class ShutdownHookMain {

    private ShutdownHookMain() {}

    /** A root that prints its terminate; {@code hang} makes terminate wait forever. */
    record Printing(boolean hang) implements GenServer<String, String> {
        @Override
        public InitResult<String> init(String name) {
            Proc.trapExit(true);
            return ok(name);
        }

        @Override
        public void terminate(ExitReason reason, String name) {
            System.out.println("terminate " + name + " " + reason);
            System.out.flush();
            if (hang) {
                Proc.receive(m -> false, Proc.INFINITY);
            }
        }
    }

    /**
     * Starts the node and waits.
     *
     * @param args the shutdown deadline in milliseconds
     * @throws InterruptedException never, in practice
     */
    public static void main(String[] args) throws InterruptedException {
        Node node = Node.start(NodeOptions.named("hooked").withShutdownTimeout(Duration.ofMillis(Long.parseLong(args[0]))));
        List<String> unused = Collections.synchronizedList(new ArrayList<>());
        node.startApplication("stuck", () -> GenServer.startLink(new Printing(true), "stuck"));
        node.startApplication("first", () -> GenServer.startLink(new Printing(false), "first"));
        node.startApplication("second", () -> GenServer.startLink(new Printing(false), "second"));
        System.out.println("ready " + unused.size());
        System.out.flush();
        Thread.currentThread().join();
    }
}
