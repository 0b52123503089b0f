package io.otpj.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.test.TestProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Per sender-receiver pair FIFO across nodes, under load: several processes of one node send
 * bursts to one process of another (directly and, for some, through a registered name looked up
 * once), all at once; the receiver sees each sender's messages in the order sent, none missing
 * and none twice. The model: for each sender, the list of its messages in sending order.
 */
class FifoProperties {

    record Seq(int sender, int n) {}

    static Nodes nodes;

    @BeforeContainer
    static void up() {
        nodes = Nodes.start(2, Seq.class);
    }

    @AfterContainer
    static void down() {
        nodes.close();
    }

    @Property(tries = 25)
    void eachSendersMessagesArriveInOrderOnceEach(
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 400) Integer> bursts) throws Exception {
        Node a = nodes.node(0), b = nodes.node(1);
        try (TestProbe receiver = TestProbe.start(b)) {
            String name = "receiver-" + System.nanoTime();
            b.run(() -> Proc.register(name, receiver.pid()));
            Pid there = nodes.cluster(0).whereis(b.name(), name, Duration.ofSeconds(5)).orElseThrow();
            CountDownLatch go = new CountDownLatch(1);
            Map<Integer, List<Integer>> model = new HashMap<>();
            int total = 0;
            for (int s = 0; s < bursts.size(); s++) {
                int sender = s, count = bursts.get(s);
                List<Integer> sent = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    sent.add(i);
                }
                model.put(sender, sent);
                total += count;
                a.spawn(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < count; i++) {
                        Proc.send(there, new Seq(sender, i));
                    }
                });
            }
            go.countDown();
            Map<Integer, List<Integer>> seen = new HashMap<>();
            for (int k = 0; k < total; k++) {
                // Each message within the probe's timeout: a stuck one fails the property.
                Seq m = receiver.expectMessage(Seq.class);
                seen.computeIfAbsent(m.sender(), x -> new ArrayList<>()).add(m.n());
            }
            receiver.expectNoMessage(Duration.ofMillis(20));
            assertEquals(model, seen);
        }
    }
}
