package io.otpj.registry;

import static io.otpj.registry.TestSupport.freshName;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Local pub/sub on a duplicate-key registry: the seed's {@code Phoenix.PubSub} use. */
class PubSubTest {

    private String name;
    private PubSub pubsub;
    private final List<Pid> actors = new ArrayList<>();

    @BeforeEach
    void start() {
        name = freshName("Financial.PubSub");
        pubsub = PubSub.start(name);
    }

    @AfterEach
    void stop() {
        TestSupport.killAll(actors);
        if (PubSub.named(name).isPresent()) {
            GenServer.stop(pubsub.pid());
        }
    }

    private Pid actor() {
        Pid p = Actor.start();
        actors.add(p);
        return p;
    }

    /** The seed's monitor: subscribes to "campaigns" in init, learns donations in handleInfo. */
    static final class CampaignMonitor implements GenServer<String, List<BigDecimal>> {
        record DonationReceived(BigDecimal amount) {}
        record Donations() {}

        @Override
        public InitResult<List<BigDecimal>> init(String pubsubName) {
            // Phoenix.PubSub.subscribe(Financial.PubSub, "campaigns")
            PubSub.named(pubsubName).orElseThrow().subscribe("campaigns");
            return ok(new ArrayList<>());
        }

        @Override
        public CastResult<List<BigDecimal>> handleInfo(Object message, List<BigDecimal> donations) throws Exception {
            return switch (message) {
                case DonationReceived(BigDecimal amount) -> {
                    donations.add(amount);
                    yield noreply(donations);
                }
                default -> GenServer.super.handleInfo(message, donations);
            };
        }

        @Override
        public CallResult<List<BigDecimal>> handleCall(Object request, From from, List<BigDecimal> donations)
                throws Exception {
            return switch (request) {
                case Donations d -> reply(List.copyOf(donations), donations);
                default -> GenServer.super.handleCall(request, from, donations);
            };
        }
    }

    @Test
    void theSeedsSubscribeInInitAndBroadcast() {
        Pid m1 = GenServer.start(new CampaignMonitor(), name).pid();
        Pid m2 = GenServer.start(new CampaignMonitor(), name).pid();
        actors.add(m1);
        actors.add(m2);
        // Phoenix.PubSub.broadcast(Financial.PubSub, "campaigns", {:donation_received, donation})
        assertEquals(2, pubsub.broadcast("campaigns", new CampaignMonitor.DonationReceived(BigDecimal.TEN)));
        assertEquals(2, pubsub.broadcast("campaigns", new CampaignMonitor.DonationReceived(BigDecimal.ONE)));
        for (Pid m : List.of(m1, m2)) {
            // The call is sent after the broadcasts by the same thread, so it is handled after them.
            assertEquals(List.of(BigDecimal.TEN, BigDecimal.ONE), GenServer.call(m, new CampaignMonitor.Donations()));
        }
    }

    @Test
    void broadcastReachesSubscribersOfTheTopicOnly() {
        Pid a = actor();
        Pid b = actor();
        Pid c = actor();
        Actor.exec(a, () -> pubsub.subscribe("campaigns"));
        Actor.exec(b, () -> pubsub.subscribe("campaigns"));
        Actor.exec(c, () -> pubsub.subscribe("donations"));
        assertEquals(Set.of(a, b), new HashSet<>(pubsub.subscribers("campaigns")));
        assertEquals(2, pubsub.broadcast("campaigns", "hello"));
        assertEquals(0, pubsub.broadcast("nobody", "lost"));
        assertEquals(List.of("hello"), Actor.inbox(a));
        assertEquals(List.of("hello"), Actor.inbox(b));
        assertEquals(List.of(), Actor.inbox(c));
    }

    @Test
    void subscribingTwiceDeliversOnce() {
        Pid a = actor();
        Actor.exec(a, () -> {
            pubsub.subscribe("t");
            pubsub.subscribe("t");
        });
        assertEquals(1, pubsub.broadcast("t", "once"));
        assertEquals(List.of("once"), Actor.inbox(a));
    }

    @Test
    void unsubscribeStopsDeliveryAndTheLink() {
        Pid a = actor();
        Actor.exec(a, () -> {
            pubsub.subscribe("t");
            pubsub.subscribe("u");
        });
        assertTrue(Proc.info(a).orElseThrow().links().contains(pubsub.pid()));
        Actor.exec(a, () -> pubsub.unsubscribe("t"));
        assertEquals(0, pubsub.broadcast("t", "after"));
        assertEquals(1, pubsub.broadcast("u", "still"));
        assertEquals(List.of("still"), Actor.inbox(a));
        Actor.exec(a, () -> pubsub.unsubscribe("u"));
        assertFalse(Proc.info(a).orElseThrow().links().contains(pubsub.pid()));
        Actor.exec(a, () -> pubsub.unsubscribe("never")); // not subscribed: nothing happens
    }

    @Test
    void aDeadSubscriberIsRemovedBeforeItsMonitorFires() {
        Pid a = actor();
        Actor.exec(a, () -> pubsub.subscribe("t"));
        Object subscribersAtDown = TestSupport.inProcess(() -> {
            Proc.monitor(a);
            GenServer.cast(a, new Actor.Crash());
            Proc.receive(Down.class, Duration.ofSeconds(10)).orElseThrow();
            return pubsub.subscribers("t");
        });
        assertEquals(List.of(), subscribersAtDown);
        assertEquals(0, pubsub.broadcast("t", "nobody"));
    }

    @Test
    void broadcastKeepsTheOrderOfOneSender() {
        Pid a = actor();
        Actor.exec(a, () -> pubsub.subscribe("t"));
        for (int i = 0; i < 100; i++) {
            pubsub.broadcast("t", i);
        }
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertEquals(expected, Actor.inbox(a));
    }

    @Test
    void aProcessCanBroadcastToItself() {
        Object got = TestSupport.inProcess(() -> {
            pubsub.subscribe("self");
            pubsub.broadcast("self", "echo");
            return Proc.receive(Duration.ofSeconds(10)).orElseThrow();
        });
        assertEquals("echo", got);
    }

    @Test
    void namedFindsOnlyARunningPubSub() {
        assertEquals(Optional.of(pubsub), PubSub.named(name));
        assertTrue(Registry.named(name).isPresent(), "its registry is a registry too");
        assertEquals(Optional.empty(), PubSub.named(freshName("none")));
        GenServer.stop(pubsub.pid());
        assertEquals(Optional.empty(), PubSub.named(name));
        assertThrows(IllegalStateException.class, () -> pubsub.broadcast("t", "x"));
    }

    @Test
    void badInput() {
        assertThrows(IllegalStateException.class, () -> pubsub.subscribe("t"), "not a process");
        NullPointerException e = assertThrows(NullPointerException.class, () -> pubsub.broadcast(null, "x"));
        assertTrue(e.getMessage().contains("topic"));
        e = assertThrows(NullPointerException.class, () -> pubsub.broadcast("t", null));
        assertTrue(e.getMessage().contains("message"));
        assertThrows(NullPointerException.class, () -> TestSupport.inProcess(() -> {
            pubsub.subscribe(null);
            return null;
        }));
        assertThrows(IllegalArgumentException.class, () -> PubSub.start(" "));
    }

    @Test
    void startLinkAndStarter() {
        Object ok = TestSupport.inProcess(() -> {
            String n = freshName("ps");
            PubSub p = PubSub.startLink(n);
            assertTrue(Proc.info(Proc.self()).orElseThrow().links().contains(p.pid()));
            assertEquals(new io.otpj.core.StartResult.Failed(new ExitReason.AlreadyStarted(p.pid())),
                    PubSub.starter(n).get());
            GenServer.stop(p.pid());
            io.otpj.core.StartResult r = PubSub.starter(n).get();
            assertTrue(PubSub.named(n).isPresent());
            GenServer.stop(r.pid());
            return r;
        });
        assertInstanceOf(io.otpj.core.StartResult.Ok.class, ok);
    }
}
