package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Semantics: "Strategies: one_for_one, one_for_all, rest_for_one" and "Children start in order,
 * and stop in reverse order".
 */
class StrategyTest {

    static final SupervisorFlags LENIENT = SupervisorFlags.oneForOne().withIntensity(100, Duration.ofHours(1));

    static List<Pid> pids(Pid sup) {
        return Supervisor.whichChildren(sup).stream().map(ChildInfo::pid).map(Optional::orElseThrow).toList();
    }

    static Pid startAbc(Strategy strategy, Events ev) {
        return Supervisor.start(new SupervisorFlags(strategy, 100, Duration.ofHours(1)),
                List.of(Worker.spec("a", ev), Worker.spec("b", ev), Worker.spec("c", ev))).pid();
    }

    @Test
    void childrenStartInOrderAndStopInReverseOrder() {
        Events ev = new Events();
        Pid sup = Supervisor.start(LENIENT, List.of(
                Worker.spec(Worker.config("a", ev).trapping()),
                Worker.spec("b", ev),
                Worker.spec(Worker.config("c", ev).trapping()))).pid();
        assertEquals(List.of("a", "b", "c"), ev.of(Events.Started.class).stream().map(Events.Started::id).toList());
        Supervisor.stop(sup);
        assertEquals(List.of("c", "b", "a"), ev.deathOrder());
        // Trapping children ran terminate(shutdown); b did not trap, so it just died.
        assertEquals(List.of("c", "a"), ev.of(Events.TerminateDone.class).stream().map(Events.TerminateDone::id).toList());
        ev.of(Events.TerminateDone.class).forEach(t -> assertEquals(ExitReason.shutdown(), t.reason()));
    }

    @Test
    void oneForOneRestartsOnlyTheChildThatExited() {
        Events ev = new Events();
        Pid sup = startAbc(Strategy.ONE_FOR_ONE, ev);
        List<Pid> before = pids(sup);
        Proc.exit(before.get(1), ExitReason.of("boom"));
        List<Pid> after = pids(sup);
        assertEquals(before.get(0), after.get(0));
        assertNotEquals(before.get(1), after.get(1));
        assertTrue(after.get(1).isAlive());
        assertEquals(before.get(2), after.get(2));
        Supervisor.stop(sup);
    }

    @Test
    void oneForAllRestartsEveryChildStoppingTheOthersInReverseOrder() {
        Events ev = new Events();
        Pid sup = startAbc(Strategy.ONE_FOR_ALL, ev);
        List<Pid> before = pids(sup);
        Proc.exit(before.get(1), ExitReason.of("boom"));
        List<Pid> after = pids(sup);
        for (int i = 0; i < 3; i++) {
            assertNotEquals(before.get(i), after.get(i));
            assertFalse(before.get(i).isAlive());
        }
        // b died first (the crash), then the supervisor stopped c, then a; then a, b, c started again.
        assertEquals(List.of("b", "c", "a"), ev.deathOrder());
        assertEquals(List.of("a", "b", "c", "a", "b", "c"),
                ev.of(Events.Started.class).stream().map(Events.Started::id).toList());
        Supervisor.stop(sup);
    }

    @Test
    void restForOneRestartsTheChildAndThoseStartedAfterIt() {
        Events ev = new Events();
        Pid sup = startAbc(Strategy.REST_FOR_ONE, ev);
        List<Pid> before = pids(sup);
        Proc.exit(before.get(1), ExitReason.of("boom"));
        List<Pid> after = pids(sup);
        assertEquals(before.get(0), after.get(0));
        assertNotEquals(before.get(1), after.get(1));
        assertNotEquals(before.get(2), after.get(2));
        assertEquals(List.of("b", "c"), ev.deathOrder());
        // The last child: only itself.
        Proc.exit(after.get(2), ExitReason.kill());
        List<Pid> last = pids(sup);
        assertEquals(after.subList(0, 2), last.subList(0, 2));
        assertNotEquals(after.get(2), last.get(2));
        Supervisor.stop(sup);
    }

    @Test
    void temporarySiblingsTerminatedByAGroupRestartAreDropped() {
        Events ev = new Events();
        Pid sup = Supervisor.start(new SupervisorFlags(Strategy.ONE_FOR_ALL, 100, Duration.ofHours(1)), List.of(
                Worker.spec("a", ev),
                Worker.spec("t", ev).withRestart(Restart.TEMPORARY),
                Worker.spec("c", ev))).pid();
        Proc.exit(pids(sup).get(0), ExitReason.of("boom"));
        List<ChildInfo> kids = Supervisor.whichChildren(sup);
        assertEquals(List.of("a", "c"), kids.stream().map(ChildInfo::id).toList());
        assertEquals(1, ev.starts("t"));
        Supervisor.stop(sup);
    }
}
