package io.otpj.core;

import static io.otpj.core.CoreDefectsTest.awaitUninterruptibly;
import static io.otpj.core.Probe.WAIT;
import static io.otpj.core.Probe.await;
import static io.otpj.core.Probe.get;
import static io.otpj.core.Probe.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Once a process's exit is decided, nothing it does reaches anyone: every kind of outgoing effect
 * is refused (the process unwinds with {@link ProcessExit}) and leaves no trace. The victim's
 * code swallows the kill's interrupt and tries each effect in turn, both while its death is still
 * being processed (an exit hook holds the killer) and after it is settled.
 */
@Timeout(120)
class EffectGateTest {

    /** Counts the calls and casts it handles. */
    static final class Counting implements GenServer<Void, Integer> {
        final AtomicInteger handled = new AtomicInteger();

        @Override
        public InitResult<Integer> init(Void arg) {
            return ok(0);
        }

        @Override
        public CallResult<Integer> handleCall(Object request, From from, Integer s) {
            handled.incrementAndGet();
            return reply(s, s);
        }

        @Override
        public CastResult<Integer> handleCast(Object request, Integer s) {
            handled.incrementAndGet();
            return noreply(s);
        }
    }

    @FunctionalInterface
    interface Effect {
        void run() throws Exception;
    }

    @ParameterizedTest
    @ValueSource(strings = {"while its death is processed", "after its death is settled"})
    void everyKindOfEffectIsRefusedOnceTheExitIsDecided(String when) throws Exception {
        boolean holdTheDeath = when.startsWith("while");
        Counting counting = new Counting();
        Pid server = GenServer.start(counting, null).pid();
        String taken = "gate-taken-" + System.nanoTime();
        String fresh = "gate-fresh-" + System.nanoTime();
        // The observer traps exits, holds a name and records all it receives; it must hear
        // nothing from the victim.
        CountDownLatch observerReady = new CountDownLatch(1);
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        Pid observer = Proc.spawn(() -> {
            Proc.trapExit(true);
            observerReady.countDown();
            for (;;) {
                received.add(Proc.receive());
            }
        });
        await(observerReady);
        Proc.register(taken, observer);

        AtomicBoolean bodyRan = new AtomicBoolean(), hookRan = new AtomicBoolean(), initRan = new AtomicBoolean();
        CountDownLatch holding = new CountDownLatch(1), release = new CountDownLatch(1);
        CountDownLatch inHook = new CountDownLatch(1), releaseHook = new CountDownLatch(1);
        CompletableFuture<Map<String, Throwable>> outcomes = new CompletableFuture<>();
        GenServer<Void, Integer> neverStarts = new GenServer<>() {
            @Override
            public InitResult<Integer> init(Void arg) {
                initRan.set(true);
                return ok(0);
            }
        };
        Pid victim = Proc.spawn(() -> {
            From from = (From) Proc.receive(); // a call from the test, answered (or not) below
            if (holdTheDeath) {
                Proc.onExit(Proc.self(), () -> {
                    inHook.countDown();
                    awaitUninterruptibly(releaseHook);
                });
            }
            holding.countDown();
            awaitUninterruptibly(release); // swallows the kill's interrupt
            Map<String, Effect> effects = new LinkedHashMap<>();
            effects.put("send", () -> Proc.send(observer, "from the dead"));
            effects.put("send to a name", () -> Proc.send(Name.local(taken), "from the dead"));
            effects.put("cast", () -> GenServer.cast(server, "from the dead"));
            effects.put("call", () -> GenServer.call(server, "from the dead"));
            effects.put("sendRequest", () -> GenServer.sendRequest(server, "from the dead"));
            effects.put("reply", () -> from.reply("from the dead"));
            effects.put("exit signal", () -> Proc.exit(observer, ExitReason.of("from the dead")));
            effects.put("link", () -> Proc.link(observer));
            effects.put("unlink", () -> Proc.unlink(observer));
            effects.put("monitor", () -> Proc.monitor(observer));
            effects.put("spawn", () -> Proc.spawn(() -> bodyRan.set(true)));
            effects.put("spawnLink", () -> Proc.spawnLink(() -> bodyRan.set(true)));
            effects.put("start", () -> GenServer.start(neverStarts, null));
            effects.put("startLink", () -> GenServer.startLink(neverStarts, null));
            effects.put("register", () -> Proc.register(fresh, observer));
            effects.put("unregister", () -> Proc.unregister(taken));
            effects.put("onExit", () -> Proc.onExit(observer, () -> hookRan.set(true)));
            effects.put("sendAfter", () -> Proc.sendAfter(observer, "from the dead", Duration.ZERO));
            Map<String, Throwable> result = new LinkedHashMap<>();
            for (Map.Entry<String, Effect> e : effects.entrySet()) {
                try {
                    e.getValue().run();
                    result.put(e.getKey(), null);
                } catch (Throwable t) {
                    result.put(e.getKey(), t);
                }
            }
            outcomes.complete(result);
        });
        CompletableFuture<Object> callOutcome = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                callOutcome.complete(GenServer.call(victim, "answer me", WAIT));
            } catch (Throwable t) {
                callOutcome.complete(t);
            }
        });
        await(holding);
        CompletableFuture<ExitReason> down = Probe.watch(victim);
        Thread killer = Thread.ofPlatform().start(() -> Proc.exit(victim, ExitReason.kill()));
        if (holdTheDeath) {
            await(inHook); // decided, name and links being processed, DOWN not sent yet
        } else {
            assertEquals(ExitReason.killed(), get(down));
        }
        release.countDown();
        Map<String, Throwable> result = get(outcomes);
        releaseHook.countDown();
        assertTrue(killer.join(WAIT));
        assertEquals(ExitReason.killed(), get(down));
        join(victim);

        for (Map.Entry<String, Throwable> e : result.entrySet()) {
            assertInstanceOf(ProcessExit.class, e.getValue(), e.getKey() + " was not refused");
        }
        // And nothing landed. The timer thread fires in deadline order, so a timer the victim
        // managed to start (deadline: then) would come before this marker (deadline: now + 20 ms).
        Proc.sendAfter(observer, "marker", Duration.ofMillis(20));
        List<Object> beforeMarker = new ArrayList<>();
        for (Object m; !"marker".equals(m = Probe.take(received)); ) {
            beforeMarker.add(m);
        }
        assertEquals(List.of(), beforeMarker, "messages or exit signals of the dead victim reached the observer");
        assertInstanceOf(ServerExitedException.class, get(callOutcome), "the dead victim's reply landed");
        assertEquals(0, counting.handled.get(), "the server handled a call or cast of the dead victim");
        ProcessInfo info = Proc.info(observer).orElseThrow();
        assertEquals(List.of(), info.links(), "a link of the dead victim landed");
        assertEquals(0, info.monitoredBy(), "a monitor of the dead victim landed");
        assertEquals(observer, Proc.whereis(taken).orElseThrow(), "the dead victim's unregister landed");
        assertTrue(Proc.whereis(fresh).isEmpty(), "the dead victim's register landed");
        assertFalse(bodyRan.get() || initRan.get(), "a process spawned or started by the dead victim ran");
        CompletableFuture<ExitReason> observerDown = Probe.watch(observer);
        Proc.exit(observer, ExitReason.kill());
        get(observerDown);
        assertFalse(hookRan.get(), "an exit hook the dead victim added ran");
        GenServer.stop(server);
    }
}
