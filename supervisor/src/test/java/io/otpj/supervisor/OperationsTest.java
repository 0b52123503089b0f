package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.NoProcException;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Semantics: "which_children, count_children, terminate_child, restart_child, delete_child,
 * start_child".
 */
class OperationsTest {

    @Test
    void whichAndCountChildren() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(
                Worker.spec("w1", ev),
                Supervisor.childSpec("sub", StrategyTest.LENIENT, List.of(Worker.spec("inner", ev))),
                Worker.spec(Worker.config("ign", ev).ignoring()))).pid();
        List<ChildInfo> kids = Supervisor.whichChildren(sup);
        assertEquals(List.of("w1", "sub", "ign"), kids.stream().map(ChildInfo::id).toList());
        assertEquals(List.of(ChildType.WORKER, ChildType.SUPERVISOR, ChildType.WORKER),
                kids.stream().map(ChildInfo::type).toList());
        assertEquals(List.of(ChildStatus.RUNNING, ChildStatus.RUNNING, ChildStatus.NOT_RUNNING),
                kids.stream().map(ChildInfo::status).toList());
        assertEquals(Optional.empty(), kids.get(2).pid());
        assertEquals(new ChildCounts(3, 2, 1, 2), Supervisor.countChildren(sup));
        Supervisor.stop(sup);
    }

    @Test
    void startChildAddsItLastAndSupervisesIt() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("a", ev))).pid();
        Pid b = Supervisor.startChild(sup, Worker.spec("b", ev)).pid();
        assertEquals(List.of("a", "b"), Supervisor.whichChildren(sup).stream().map(ChildInfo::id).toList());
        Proc.exit(b, ExitReason.kill());
        assertNotEquals(b, Supervisor.whichChildren(sup).get(1).pid().orElseThrow());
        Supervisor.stop(sup);
        assertEquals(List.of("b", "b", "a"), ev.deathOrder());
    }

    @Test
    void startChildWithATakenIdFails() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("a", ev))).pid();
        Pid a = Supervisor.whichChildren(sup).getFirst().pid().orElseThrow();
        assertEquals(new StartResult.Failed(new ExitReason.AlreadyStarted(a)), Supervisor.startChild(sup, Worker.spec("a", ev)));
        Supervisor.terminateChild(sup, "a");
        assertEquals(new StartResult.Failed(Supervisor.ALREADY_PRESENT), Supervisor.startChild(sup, Worker.spec("a", ev)));
        assertEquals(1, ev.starts("a"));
        Supervisor.stop(sup);
    }

    @Test
    void startChildReportsAFailedStartAndKeepsNothing() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of()).pid();
        Worker.Config bad = Worker.config("bad", ev);
        bad.failStarts().set(1);
        assertEquals(new StartResult.Failed(Worker.INJECTED), Supervisor.startChild(sup, Worker.spec(bad)));
        assertEquals(List.of(), Supervisor.whichChildren(sup));
        assertTrue(sup.isAlive());
        Supervisor.stop(sup);
    }

    @Test
    void startChildThatIsIgnoredKeepsANonTemporarySpec() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of()).pid();
        assertEquals(new StartResult.Ignored(), Supervisor.startChild(sup, Worker.spec(Worker.config("i", ev).ignoring())));
        assertEquals(new StartResult.Ignored(), Supervisor.startChild(sup,
                Worker.spec(Worker.config("t", ev).ignoring()).withRestart(Restart.TEMPORARY)));
        assertEquals(List.of(new ChildInfo("i", Optional.empty(), ChildStatus.NOT_RUNNING, ChildType.WORKER)),
                Supervisor.whichChildren(sup));
        Supervisor.stop(sup);
    }

    @Test
    void terminateChildStopsWithoutRestartKeepingTheSpec() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("a", ev), Worker.spec("b", ev))).pid();
        Pid a = Supervisor.whichChildren(sup).getFirst().pid().orElseThrow();
        Supervisor.terminateChild(sup, "a");
        assertFalse(a.isAlive());
        assertEquals(ChildStatus.NOT_RUNNING, Supervisor.whichChildren(sup).getFirst().status());
        assertEquals(new ChildCounts(2, 1, 0, 2), Supervisor.countChildren(sup));
        // Terminating a child that is not running is fine and changes nothing.
        Supervisor.terminateChild(sup, "a");
        assertEquals(1, ev.starts("a"));
        Supervisor.stop(sup);
    }

    @Test
    void terminateChildOfATemporaryDropsIt() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT,
                List.of(Worker.spec("t", ev).withRestart(Restart.TEMPORARY))).pid();
        Supervisor.terminateChild(sup, "t");
        assertEquals(List.of(), Supervisor.whichChildren(sup));
        Supervisor.stop(sup);
    }

    @Test
    void restartChildStartsATerminatedChild() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("a", ev))).pid();
        Pid first = Supervisor.whichChildren(sup).getFirst().pid().orElseThrow();
        Supervisor.terminateChild(sup, "a");
        Pid second = Supervisor.restartChild(sup, "a").pid();
        assertNotEquals(first, second);
        assertEquals(Optional.of(second), Supervisor.whichChildren(sup).getFirst().pid());
        Supervisor.stop(sup);
    }

    @Test
    void restartChildThatFailsLeavesItNotRunning() {
        Events ev = new Events();
        Worker.Config cfg = Worker.config("a", ev);
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec(cfg))).pid();
        Supervisor.terminateChild(sup, "a");
        cfg.failStarts().set(1);
        assertEquals(new StartResult.Failed(Worker.INJECTED), Supervisor.restartChild(sup, "a"));
        assertEquals(ChildStatus.NOT_RUNNING, Supervisor.whichChildren(sup).getFirst().status());
        Supervisor.stop(sup);
    }

    @Test
    void deleteChildRemovesAStoppedChildsSpec() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("a", ev), Worker.spec("b", ev))).pid();
        Supervisor.terminateChild(sup, "a");
        Supervisor.deleteChild(sup, "a");
        assertEquals(List.of("b"), Supervisor.whichChildren(sup).stream().map(ChildInfo::id).toList());
        // The id is free again.
        assertInstanceOf(StartResult.Ok.class, Supervisor.startChild(sup, Worker.spec("a", ev)));
        assertEquals(List.of("b", "a"), Supervisor.whichChildren(sup).stream().map(ChildInfo::id).toList());
        Supervisor.stop(sup);
    }

    @Test
    void clearExceptionsForMisuse() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("a", ev))).pid();
        var unknown = assertThrows(IllegalArgumentException.class, () -> Supervisor.terminateChild(sup, "zzz"));
        assertTrue(unknown.getMessage().contains("no child with id zzz"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Supervisor.restartChild(sup, "zzz"));
        assertThrows(IllegalArgumentException.class, () -> Supervisor.deleteChild(sup, "zzz"));
        var running = assertThrows(IllegalStateException.class, () -> Supervisor.deleteChild(sup, "a"));
        assertTrue(running.getMessage().contains("running"), running.getMessage());
        var again = assertThrows(IllegalStateException.class, () -> Supervisor.restartChild(sup, "a"));
        assertTrue(again.getMessage().contains("running"), again.getMessage());
        assertThrows(NullPointerException.class, () -> Supervisor.startChild(sup, null));
        assertThrows(NullPointerException.class, () -> Supervisor.terminateChild(sup, null));
        assertThrows(NullPointerException.class, () -> Supervisor.start(null, List.of()));
        assertThrows(NullPointerException.class, () -> Supervisor.start(StrategyTest.LENIENT, null));
        // A dynamic-supervisor operation on a static supervisor is refused, not a crash.
        Pid a = Supervisor.whichChildren(sup).getFirst().pid().orElseThrow();
        var wrong = assertThrows(IllegalArgumentException.class, () -> DynamicSupervisor.terminateChild(sup, a));
        assertTrue(wrong.getMessage().contains("by id"), wrong.getMessage());
        assertTrue(sup.isAlive());
        assertTrue(a.isAlive());
        Supervisor.stop(sup);
        assertThrows(NoProcException.class, () -> Supervisor.whichChildren(sup));
    }

    @Test
    void aChildStartedWithoutALinkIsStillSupervised() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(ChildSpec.worker("unlinked", () -> {
            StartResult r = GenServer.start(new Worker(), Worker.config("unlinked", ev));
            ev.started("unlinked", r.pid());
            return r;
        }))).pid();
        Pid first = Supervisor.whichChildren(sup).getFirst().pid().orElseThrow();
        Proc.exit(first, ExitReason.of("boom"));
        assertNotEquals(first, Supervisor.whichChildren(sup).getFirst().pid().orElseThrow());
        Supervisor.stop(sup);
        ev.startedPids().forEach(p -> assertFalse(p.isAlive()));
    }
}
