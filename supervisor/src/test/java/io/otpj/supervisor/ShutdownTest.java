package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Semantics: "Shutdown: send shutdown, wait up to the child's shutdown time, then kill. The
 * supervisor waits on a monitor, so a child that unlinked itself cannot hang it. Defaults: 5 s
 * for a worker, infinity for a supervisor."
 */
class ShutdownTest {

    private static Pid child(Pid sup, Object id) {
        return Supervisor.whichChildren(sup).stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow()
                .pid().orElseThrow();
    }

    @Test
    void aTrappingChildGetsShutdownAndRunsTerminate() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec(Worker.config("w", ev).trapping()))).pid();
        Pid w = child(sup, "w");
        Supervisor.terminateChild(sup, "w");
        assertFalse(w.isAlive());
        assertEquals(List.of(new Events.TerminateDone("w", w, ExitReason.shutdown())), ev.of(Events.TerminateDone.class));
        Supervisor.stop(sup);
    }

    @Test
    void aChildThatIgnoresShutdownIsKilledAfterItsShutdownTime() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(
                Worker.spec(Worker.config("stuck", ev).hanging()).withShutdown(Shutdown.timeout(Duration.ofMillis(50)))))
                .pid();
        Pid stuck = child(sup, "stuck");
        Stopped stopped = terminateAndTime(sup, "stuck", stuck);
        assertEquals(ExitReason.killed(), stopped.reason());
        Duration elapsed = stopped.after();
        assertTrue(elapsed.compareTo(Duration.ofMillis(49)) >= 0, "killed after " + elapsed + ", before its 50 ms shutdown time");
        // terminate began (it got shutdown) but never finished: the kill ended it.
        assertEquals(List.of(new Events.TerminateBegun("stuck", stuck, ExitReason.shutdown())),
                ev.of(Events.TerminateBegun.class));
        assertEquals(List.of(), ev.of(Events.TerminateDone.class));
        Supervisor.stop(sup);
    }

    /**
     * otp-semantics.md: "Defaults: 5 s for a worker", as behaviour: a worker whose terminate never
     * returns, with the default shutdown, is killed no sooner than 5 s after the shutdown began.
     */
    @Test
    void aWorkerWithTheDefaultShutdownIsKilledAfterFiveSeconds() {
        Events ev = new Events();
        ChildSpec spec = Worker.spec(Worker.config("stuck", ev).hanging());
        assertEquals(Shutdown.timeout(Duration.ofSeconds(5)), spec.shutdown());
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(spec)).pid();
        Pid stuck = child(sup, "stuck");
        Stopped stopped = terminateAndTime(sup, "stuck", stuck);
        assertEquals(ExitReason.killed(), stopped.reason());
        Duration elapsed = stopped.after();
        assertTrue(elapsed.compareTo(Duration.ofMillis(4_990)) >= 0, "killed after " + elapsed + ", before the 5 s default");
        assertEquals(1, ev.of(Events.TerminateBegun.class).size());
        Supervisor.stop(sup);
    }

    /** How a terminated child ended, and how long after its terminateChild began. */
    private record Stopped(ExitReason reason, Duration after) {}

    /** Terminates child {@code id} ({@code pid}) of {@code sup} from a process that monitors it, timing it up to its DOWN. */
    private static Stopped terminateAndTime(Pid sup, String id, Pid pid) {
        return Procs.inProcess(() -> {
            var ref = Proc.monitor(pid);
            long t0 = System.nanoTime();
            Supervisor.terminateChild(sup, id);
            ExitReason r = Procs.awaitDown(ref);
            return new Stopped(r, Duration.ofNanos(System.nanoTime() - t0));
        });
    }

    @Test
    void brutalKillRunsNoTerminate() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(
                Worker.spec(Worker.config("b", ev).trapping()).withShutdown(Shutdown.brutalKill()))).pid();
        Pid b = child(sup, "b");
        ExitReason reason = Procs.inProcess(() -> {
            var ref = Proc.monitor(b);
            Supervisor.terminateChild(sup, "b");
            return Procs.awaitDown(ref);
        });
        assertEquals(ExitReason.killed(), reason);
        assertEquals(List.of(), ev.of(Events.TerminateBegun.class));
        Supervisor.stop(sup);
    }

    @Test
    void aNonTrappingChildDiesOfTheShutdownSignal() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("w", ev))).pid();
        Pid w = child(sup, "w");
        ExitReason reason = Procs.inProcess(() -> {
            var ref = Proc.monitor(w);
            Supervisor.terminateChild(sup, "w");
            return Procs.awaitDown(ref);
        });
        assertEquals(ExitReason.shutdown(), reason);
        assertEquals(List.of(), ev.of(Events.TerminateBegun.class));
        Supervisor.stop(sup);
    }

    @Test
    void aChildThatUnlinkedItselfCannotHangTheSupervisor() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(
                Worker.spec(Worker.config("loner", ev).hanging()).withShutdown(Shutdown.timeout(Duration.ofMillis(50))),
                Worker.spec("plain", ev))).pid();
        Pid loner = child(sup, "loner");
        assertTrue((Boolean) GenServer.call(loner, new Worker.UnlinkAll()));
        assertFalse(Proc.info(sup).orElseThrow().links().contains(loner));
        // Supervisor.stop returns: the monitor saw the loner die after the kill.
        Supervisor.stop(sup);
        assertFalse(loner.isAlive());
        assertEquals(List.of("plain", "loner"), ev.deathOrder());
    }

    @Test
    void anUnlinkedNonTrappingChildIsStillStopped() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("loner", ev))).pid();
        Pid loner = child(sup, "loner");
        GenServer.call(loner, new Worker.UnlinkAll());
        Supervisor.stop(sup);
        assertFalse(loner.isAlive());
    }

    @Test
    void infinityWaitsForASlowChild() throws Exception {
        // A child supervisor (shutdown infinity) whose own child takes its 50 ms before being
        // killed: the parent waits for the whole subtree.
        Events ev = new Events();
        ChildSpec sub = Supervisor.childSpec("sub", StrategyTest.LENIENT, List.of(
                Worker.spec(Worker.config("slow", ev).hanging()).withShutdown(Shutdown.timeout(Duration.ofMillis(50)))));
        assertEquals(Shutdown.infinity(), sub.shutdown());
        Pid top = Supervisor.start(StrategyTest.LENIENT, List.of(sub)).pid();
        Pid subPid = child(top, "sub");
        Pid slow = child(subPid, "slow");
        Supervisor.stop(top);
        assertFalse(slow.isAlive());
        assertFalse(subPid.isAlive());
        assertEquals(List.of("slow"), ev.deathOrder());
    }

    @Test
    void theWorkerDefaultShutdownWaitsForATerminateThatTakesAWhile() throws Exception {
        // terminate blocks until released from outside; the supervisor waits (default 5 s).
        CompletableFuture<Void> release = new CompletableFuture<>();
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(ChildSpec.worker("slow", () ->
                GenServer.startLink(new SlowStop(release), ev)))).pid();
        Pid slow = child(sup, "slow");
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> Supervisor.terminateChild(sup, "slow"));
        // The child tells us it is in terminate, then we let it finish well within 5 s.
        SlowStop.entered(ev);
        assertFalse(stopped.isDone());
        release.complete(null);
        stopped.get(30, TimeUnit.SECONDS);
        assertFalse(slow.isAlive());
        assertEquals(1, ev.of(Events.TerminateDone.class).size());
        Supervisor.stop(sup);
    }

    /** A child whose terminate waits for the test to release it. */
    static final class SlowStop implements GenServer<Events, Events> {
        private final CompletableFuture<Void> release;
        private static final java.util.concurrent.Semaphore ENTERED = new java.util.concurrent.Semaphore(0);

        SlowStop(CompletableFuture<Void> release) {
            this.release = release;
        }

        static void entered(Events ev) throws InterruptedException {
            assertTrue(ENTERED.tryAcquire(30, TimeUnit.SECONDS));
        }

        @Override
        public io.otpj.core.InitResult<Events> init(Events ev) {
            Proc.trapExit(true);
            return ok(ev);
        }

        @Override
        public void terminate(ExitReason reason, Events ev) throws Exception {
            ENTERED.release();
            release.get(30, TimeUnit.SECONDS);
            ev.add(new Events.TerminateDone("slow", Proc.self(), reason));
        }
    }
}
