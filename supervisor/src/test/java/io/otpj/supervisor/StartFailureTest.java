package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.StartResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Semantics: "If a child fails to start during the supervisor's init, the children already
 * started are stopped and start fails" and "A child spec with a duplicate id is rejected when
 * the supervisor starts".
 */
class StartFailureTest {

    @Test
    void aChildWhoseStartFailsDuringSupervisorStartStopsTheStartedOnesInReverse() {
        Events ev = new Events();
        Worker.Config bad = Worker.config("bad", ev);
        bad.failStarts().set(1);
        StartResult r = Supervisor.start(StrategyTest.LENIENT, List.of(
                Worker.spec(Worker.config("a", ev).trapping()), Worker.spec("b", ev), Worker.spec(bad),
                Worker.spec("never", ev)));
        StartResult.Failed f = assertInstanceOf(StartResult.Failed.class, r);
        assertEquals(ExitReason.shutdown(new FailedToStartChild("bad", Worker.INJECTED)), f.reason());
        assertTrue(f.reason().toString().contains("bad"), f.reason().toString());
        assertEquals(List.of("b", "a"), ev.deathOrder());
        assertEquals(0, ev.starts("never"));
        assertEquals(1, ev.of(Events.TerminateDone.class).size());
    }

    @Test
    void aStartFunctionThatThrowsFailsTheStartWithTheCrash() {
        Events ev = new Events();
        RuntimeException boom = new IllegalStateException("no database");
        StartResult r = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("a", ev),
                ChildSpec.worker("db", () -> { throw boom; })));
        var f = assertInstanceOf(StartResult.Failed.class, r);
        assertEquals(ExitReason.shutdown(new FailedToStartChild("db", ExitReason.crash(boom))), f.reason());
        assertEquals(List.of("a"), ev.deathOrder());
    }

    @Test
    void aStartFunctionReturningNullIsAFailedStart() {
        StartResult r = Supervisor.start(StrategyTest.LENIENT, List.of(ChildSpec.worker("nil", () -> null)));
        var f = assertInstanceOf(StartResult.Failed.class, r);
        var shut = assertInstanceOf(ExitReason.ShutdownWith.class, f.reason());
        var failed = assertInstanceOf(FailedToStartChild.class, shut.term());
        assertEquals("nil", failed.id());
        assertInstanceOf(ExitReason.BadReturnValue.class, failed.reason());
    }

    @Test
    void duplicateChildIdsAreRejectedAtStart() {
        Events ev = new Events();
        var e = assertThrows(IllegalArgumentException.class, () -> Supervisor.start(StrategyTest.LENIENT,
                List.of(Worker.spec("twin", ev), Worker.spec("other", ev), Worker.spec("twin", ev))));
        assertTrue(e.getMessage().contains("duplicate child id twin"), e.getMessage());
        assertEquals(List.of(), ev.all(), "nothing was started");
    }
}
