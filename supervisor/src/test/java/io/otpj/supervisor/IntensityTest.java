package io.otpj.supervisor;

import io.otpj.test.TestKit;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Semantics: "Restart intensity: more than max_restarts in max_seconds and the supervisor stops
 * all children and exits with shutdown, escalating to its parent. A restart that itself fails
 * counts toward the intensity and is retried; meanwhile the child shows as restarting."
 */
class IntensityTest {

    static final Duration HOUR = Duration.ofHours(1);

    @Test
    void moreThanMaxRestartsStopsTheChildrenAndExitsShutdown() {
        Events ev = new Events();
        Procs.inProcess(() -> {
            Pid sup = Supervisor.start(SupervisorFlags.oneForOne().withIntensity(2, HOUR), List.of(
                    Worker.spec(Worker.config("keeper", ev).trapping()),
                    Worker.spec("victim", ev))).pid();
            var ref = Proc.monitor(sup);
            for (int i = 0; i < 2; i++) {
                Proc.exit(Supervisor.whichChildren(sup).get(1).pid().orElseThrow(), ExitReason.of("boom"));
            }
            assertTrue(sup.isAlive(), "two restarts are within the intensity");
            Proc.exit(Supervisor.whichChildren(sup).get(1).pid().orElseThrow(), ExitReason.of("boom"));
            assertEquals(ExitReason.shutdown(), Procs.awaitDown(ref));
        });
        ev.startedPids().forEach(p -> assertFalse(p.isAlive(), p + " outlived its supervisor"));
        // The healthy sibling was shut down properly: terminate(shutdown) ran.
        assertEquals(List.of(ExitReason.shutdown()),
                ev.of(Events.TerminateDone.class).stream().map(Events.TerminateDone::reason).toList());
    }

    @Test
    void defaultIntensityIsThreeRestarts() {
        Events ev = new Events();
        Procs.inProcess(() -> {
            Pid sup = Supervisor.start(SupervisorFlags.oneForOne(), List.of(Worker.spec("w", ev))).pid();
            var ref = Proc.monitor(sup);
            for (int i = 0; i < 3; i++) {
                Proc.exit(Supervisor.whichChildren(sup).getFirst().pid().orElseThrow(), ExitReason.kill());
            }
            Supervisor.whichChildren(sup); // handled after the third EXIT
            assertEquals(4, ev.starts("w"));
            Proc.exit(Supervisor.whichChildren(sup).getFirst().pid().orElseThrow(), ExitReason.kill());
            assertEquals(ExitReason.shutdown(), Procs.awaitDown(ref));
        });
    }

    @Test
    void zeroRestartsGivesUpAtTheFirstExit() {
        Events ev = new Events();
        Procs.inProcess(() -> {
            Pid sup = Supervisor.start(SupervisorFlags.oneForOne().withIntensity(0, HOUR),
                    List.of(Worker.spec("w", ev))).pid();
            var ref = Proc.monitor(sup);
            Proc.exit(Supervisor.whichChildren(sup).getFirst().pid().orElseThrow(), ExitReason.of("boom"));
            assertEquals(ExitReason.shutdown(), Procs.awaitDown(ref));
        });
        assertEquals(1, ev.starts("w"));
    }

    @Test
    void restartsOutsideTheWindowAreForgotten() {
        // The sliding window, fed explicit times: a test with real time would be a timing guess.
        RestartIntensity i = new RestartIntensity(2, Duration.ofNanos(100));
        assertTrue(i.tryAdd(0));
        assertTrue(i.tryAdd(50));
        assertFalse(i.tryAdd(100), "three within 100 ns");
        RestartIntensity j = new RestartIntensity(2, Duration.ofNanos(100));
        assertTrue(j.tryAdd(0));
        assertTrue(j.tryAdd(50));
        assertTrue(j.tryAdd(151), "the first restart left the window");
        assertTrue(j.tryAdd(200));
        assertFalse(j.tryAdd(250));
    }

    @Test
    void givingUpEscalatesToTheParentSupervisor() {
        Events ev = new Events();
        Procs.inProcess(() -> {
            ChildSpec inner = Supervisor.childSpec("inner", SupervisorFlags.oneForOne().withIntensity(0, HOUR),
                    List.of(Worker.spec("leaf", ev)));
            Pid top = Supervisor.start(SupervisorFlags.oneForOne().withIntensity(5, HOUR), List.of(inner)).pid();
            Pid inner1 = Supervisor.whichChildren(top).getFirst().pid().orElseThrow();
            var innerRef = Proc.monitor(inner1);
            Proc.exit(Supervisor.whichChildren(inner1).getFirst().pid().orElseThrow(), ExitReason.of("boom"));
            assertEquals(ExitReason.shutdown(), Procs.awaitDown(innerRef));
            // The parent restarts the inner supervisor (a child that exited with shutdown).
            TestKit.eventually(() -> Supervisor.whichChildren(top).getFirst().pid().filter(p -> p != inner1).isPresent(), Procs.WAIT, "Supervisor.whichChildren(top).getFirst().pid().filter(p -> p != inner1).isPresent()");
            Pid inner2 = Supervisor.whichChildren(top).getFirst().pid().orElseThrow();
            assertEquals(ChildStatus.RUNNING, Supervisor.whichChildren(inner2).getFirst().status());
            assertEquals(2, ev.starts("leaf"));
            Supervisor.stop(top);
        });
    }

    @Test
    void aFailedRestartIsRetriedCountedAndShowsRestarting() {
        Events ev = new Events();
        Worker.Config cfg = Worker.config("flaky", ev);
        Pid sup = Supervisor.start(SupervisorFlags.oneForOne().withIntensity(10, HOUR), List.of(Worker.spec(cfg))).pid();
        cfg.failStarts().set(3);
        Pid victim = Supervisor.whichChildren(sup).getFirst().pid().orElseThrow();
        List<Object> seen = Procs.afterEvent(sup, () -> Proc.exit(victim, ExitReason.of("boom")),
                List.of(new Requests.WhichChildren(), new Requests.CountChildren()));
        @SuppressWarnings("unchecked")
        ChildInfo info = ((List<ChildInfo>) seen.get(0)).getFirst();
        assertEquals(new ChildCounts(1, 0, 0, 1), seen.get(1));
        assertEquals(ChildStatus.RESTARTING, info.status());
        assertTrue(info.pid().isEmpty());
        int polls = 0;
        while (Supervisor.whichChildren(sup).getFirst().status() == ChildStatus.RESTARTING) {
            assertTrue(++polls < 10, "each poll is queued behind at least one pending retry");
        }
        assertEquals(ChildStatus.RUNNING, Supervisor.whichChildren(sup).getFirst().status());
        assertEquals(0, cfg.failStarts().get());
        assertEquals(2, ev.starts("flaky"));
        Supervisor.stop(sup);
    }

    @Test
    void failedRestartsCountTowardTheIntensity() {
        Events ev = new Events();
        Worker.Config cfg = Worker.config("flaky", ev);
        Procs.inProcess(() -> {
            Pid sup = Supervisor.start(SupervisorFlags.oneForOne().withIntensity(3, HOUR),
                    List.of(Worker.spec(cfg))).pid();
            var ref = Proc.monitor(sup);
            cfg.failStarts().set(1_000);
            // One crash: attempts 1, 2, 3 fail and are retried; attempt 4 exceeds the intensity.
            Proc.exit(Supervisor.whichChildren(sup).getFirst().pid().orElseThrow(), ExitReason.of("boom"));
            assertEquals(ExitReason.shutdown(), Procs.awaitDown(ref));
        });
        assertEquals(1_000 - 3, cfg.failStarts().get());
    }

    @Test
    void aFailedGroupRestartRetriesTheFailingChild() {
        Events ev = new Events();
        Worker.Config b = Worker.config("b", ev);
        Pid sup = Supervisor.start(SupervisorFlags.restForOne().withIntensity(10, HOUR),
                List.of(Worker.spec("a", ev), Worker.spec(b), Worker.spec("c", ev))).pid();
        b.failStarts().set(1);
        Pid a = Supervisor.whichChildren(sup).get(0).pid().orElseThrow();
        List<ChildInfo> seen = Procs.afterEvent(sup, () -> Proc.exit(a, ExitReason.of("boom")),
                new Requests.WhichChildren());
        List<ChildStatus> during = seen.stream().map(ChildInfo::status).toList();
        assertEquals(List.of(ChildStatus.RUNNING, ChildStatus.RESTARTING, ChildStatus.NOT_RUNNING), during);
        List<ChildInfo> after = Supervisor.whichChildren(sup);
        assertTrue(after.stream().allMatch(c -> c.status() == ChildStatus.RUNNING), after::toString);
        Supervisor.stop(sup);
    }

    @Test
    void terminatingARestartingChildCancelsTheRetry() {
        Events ev = new Events();
        Worker.Config cfg = Worker.config("flaky", ev);
        Pid sup = Supervisor.start(SupervisorFlags.oneForOne().withIntensity(10, HOUR), List.of(Worker.spec(cfg))).pid();
        cfg.failStarts().set(1);
        Pid victim = Supervisor.whichChildren(sup).getFirst().pid().orElseThrow();
        // The terminate is handled between the failed restart and its retry.
        Object done = Procs.afterEvent(sup, () -> Proc.exit(victim, ExitReason.of("boom")),
                new Requests.TerminateChild("flaky"));
        assertEquals(Requests.DONE, done);
        assertEquals(ChildStatus.NOT_RUNNING, Supervisor.whichChildren(sup).getFirst().status());
        assertEquals(ChildStatus.NOT_RUNNING, Supervisor.whichChildren(sup).getFirst().status(), "the retry was dropped");
        assertEquals(1, ev.starts("flaky"));
        assertInstanceOf(StartResult.Ok.class, Supervisor.restartChild(sup, "flaky"));
        Supervisor.stop(sup);
    }
}
