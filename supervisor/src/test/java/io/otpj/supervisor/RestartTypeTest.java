package io.otpj.supervisor;

import io.otpj.test.TestKit;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Semantics: "transient restarts only on an abnormal exit; temporary never restarts". */
class RestartTypeTest {

    private static ChildInfo only(Pid sup) {
        List<ChildInfo> kids = Supervisor.whichChildren(sup);
        assertEquals(1, kids.size(), kids::toString);
        return kids.getFirst();
    }

    private static Pid supWith(ChildSpec spec) {
        return Supervisor.start(StrategyTest.LENIENT, List.of(spec)).pid();
    }

    @Test
    void permanentRestartsEvenAfterNormal() {
        Events ev = new Events();
        Pid sup = supWith(Worker.spec("p", ev));
        Pid first = only(sup).pid().orElseThrow();
        GenServer.cast(first, new Worker.Stop(ExitReason.normal()));
        TestKit.eventually(() -> only(sup).pid().filter(p -> p != first).isPresent(), Procs.WAIT, "only(sup).pid().filter(p -> p != first).isPresent()");
        assertEquals(ChildStatus.RUNNING, only(sup).status());
        Supervisor.stop(sup);
    }

    @Test
    void transientIsNotRestartedAfterNormal() {
        Events ev = new Events();
        Pid sup = supWith(Worker.spec("t", ev).withRestart(Restart.TRANSIENT));
        Pid first = only(sup).pid().orElseThrow();
        GenServer.cast(first, new Worker.Stop(ExitReason.normal()));
        TestKit.eventually(() -> only(sup).status() == ChildStatus.NOT_RUNNING, Procs.WAIT, "only(sup).status() == ChildStatus.NOT_RUNNING");
        assertEquals(Optional.empty(), only(sup).pid());
        assertEquals(1, ev.starts("t"));
        Supervisor.stop(sup);
    }

    @Test
    void transientIsNotRestartedAfterShutdownOrShutdownWithTerm() {
        for (ExitReason clean : List.of(ExitReason.shutdown(), ExitReason.shutdown("done"))) {
            Events ev = new Events();
            Pid sup = supWith(Worker.spec("t", ev).withRestart(Restart.TRANSIENT));
            io.otpj.core.Proc.exit(only(sup).pid().orElseThrow(), clean);
            assertEquals(ChildStatus.NOT_RUNNING, only(sup).status(), clean.toString());
            assertEquals(1, ev.starts("t"));
            Supervisor.stop(sup);
        }
    }

    @Test
    void transientIsRestartedAfterAnAbnormalExit() {
        for (ExitReason bad : List.of(ExitReason.of("boom"), ExitReason.kill(), ExitReason.crash(new RuntimeException("x")))) {
            Events ev = new Events();
            Pid sup = supWith(Worker.spec("t", ev).withRestart(Restart.TRANSIENT));
            Pid first = only(sup).pid().orElseThrow();
            io.otpj.core.Proc.exit(first, bad);
            ChildInfo now = only(sup);
            assertEquals(ChildStatus.RUNNING, now.status(), bad.toString());
            assertNotEquals(first, now.pid().orElseThrow());
            Supervisor.stop(sup);
        }
    }

    @Test
    void temporaryIsNeverRestartedAndItsSpecIsDropped() {
        for (ExitReason any : List.of(ExitReason.of("boom"), ExitReason.shutdown(), ExitReason.kill())) {
            Events ev = new Events();
            Pid sup = supWith(Worker.spec("tmp", ev).withRestart(Restart.TEMPORARY));
            io.otpj.core.Proc.exit(only(sup).pid().orElseThrow(), any);
            assertEquals(List.of(), Supervisor.whichChildren(sup), any.toString());
            assertEquals(1, ev.starts("tmp"));
            Supervisor.stop(sup);
        }
    }

    @Test
    void temporaryExitingNormallyIsDropped() {
        Events ev = new Events();
        Pid sup = supWith(Worker.spec("tmp", ev).withRestart(Restart.TEMPORARY));
        GenServer.cast(only(sup).pid().orElseThrow(), new Worker.Stop(ExitReason.normal()));
        TestKit.eventually(() -> Supervisor.whichChildren(sup).isEmpty(), Procs.WAIT, "Supervisor.whichChildren(sup).isEmpty()");
        Supervisor.stop(sup);
    }
}
