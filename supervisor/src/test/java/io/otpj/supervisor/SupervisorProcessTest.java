package io.otpj.supervisor;

import io.otpj.test.TestKit;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A supervisor is a process: named, monitored, linked, nested; and it logs its restarts. */
class SupervisorProcessTest {

    record SupName(String n) {}

    @Test
    void aSupervisorCanBeNamedAndReachedByName() {
        Events ev = new Events();
        Name name = Name.local(new SupName("named-sup"));
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("a", ev)), name).pid();
        assertEquals(sup, GenServer.whereis(name).orElseThrow());
        assertEquals(1, Supervisor.whichChildren(name).size());
        assertEquals(new ChildCounts(1, 1, 0, 1), Supervisor.countChildren(name));
        // The name is taken while it runs.
        StartResult twice = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("x", ev)), name);
        assertEquals(new StartResult.Failed(new ExitReason.AlreadyStarted(sup)), twice);
        assertEquals(0, ev.starts("x"), "a supervisor whose name is taken starts no children");
        Supervisor.stop(name);
        assertTrue(GenServer.whereis(name).isEmpty());
    }

    @Test
    void aSupervisorCanBeMonitoredAndStoppedWithAReason() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("a", ev))).pid();
        ExitReason r = Procs.inProcess(() -> {
            var ref = Proc.monitor(sup);
            Supervisor.stop(sup, ExitReason.shutdown("maintenance"), Proc.INFINITY);
            return Procs.awaitDown(ref);
        });
        assertEquals(ExitReason.shutdown("maintenance"), r);
        ev.startedPids().forEach(p -> assertFalse(p.isAlive()));
    }

    @Test
    void whenItsParentExitsItStopsItsChildrenInReverseOrder() {
        Events ev = new Events();
        java.util.concurrent.CompletableFuture<Pid> started = new java.util.concurrent.CompletableFuture<>();
        Pid parent = Proc.spawn(() -> {
            started.complete(Supervisor.startLink(StrategyTest.LENIENT, List.of(
                    Worker.spec(Worker.config("a", ev).trapping()), Worker.spec("b", ev),
                    Worker.spec(Worker.config("c", ev).trapping()))).pid());
            Proc.receive(); // until told to exit
            throw Proc.exit(ExitReason.shutdown());
        });
        Pid sup = started.join();
        Proc.send(parent, "go");
        TestKit.awaitDown(sup, Procs.WAIT);
        assertEquals(List.of("c", "b", "a"), ev.deathOrder());
        assertEquals(List.of("c", "a"), ev.of(Events.TerminateDone.class).stream().map(Events.TerminateDone::id).toList());
        ev.of(Events.TerminateDone.class).forEach(t -> assertEquals(ExitReason.shutdown(), t.reason()));
    }

    @Test
    void aLinkedCallerDiesWhenTheSupervisorGivesUp() {
        Events ev = new Events();
        ExitReason seen = Procs.inProcess(() -> {
            Proc.trapExit(true);
            Pid sup = Supervisor.startLink(SupervisorFlags.oneForOne().withIntensity(0, IntensityTest.HOUR),
                    List.of(Worker.spec("w", ev))).pid();
            Proc.exit(Supervisor.whichChildren(sup).getFirst().pid().orElseThrow(), ExitReason.of("boom"));
            return Procs.awaitExit(sup);
        });
        assertEquals(ExitReason.shutdown(), seen);
    }

    @Test
    void killingASupervisorTakesItsChildrenDownThroughTheLinks() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(
                Worker.spec(Worker.config("trapper", ev).trapping()), Worker.spec("plain", ev))).pid();
        List<Pid> kids = StrategyTest.pids(sup);
        Proc.exit(sup, ExitReason.kill());
        kids.forEach(k -> TestKit.awaitDown(k, Procs.WAIT));
        // A trapping child gets its parent's EXIT (killed) and runs terminate; kill itself skips it.
        assertEquals(List.of(ExitReason.killed()),
                ev.of(Events.TerminateDone.class).stream().map(Events.TerminateDone::reason).toList());
    }

    @Test
    void supervisorsNest() {
        Events ev = new Events();
        Pid top = Supervisor.start(StrategyTest.LENIENT, List.of(
                Worker.spec("top-worker", ev),
                Supervisor.childSpec("mid", StrategyTest.LENIENT, List.of(
                        Worker.spec("mid-worker", ev),
                        DynamicSupervisor.childSpec("dyn", DynamicSupervisor.Options.defaults()))))).pid();
        Pid mid = Supervisor.whichChildren(top).get(1).pid().orElseThrow();
        Pid dyn = Supervisor.whichChildren(mid).get(1).pid().orElseThrow();
        DynamicSupervisor.startChild(dyn, Worker.spec("dyn-worker", ev)).pid();
        assertEquals(new ChildCounts(2, 2, 1, 1), Supervisor.countChildren(top));
        Supervisor.stop(top);
        assertEquals(List.of("dyn-worker", "mid-worker", "top-worker"), ev.deathOrder());
        assertFalse(mid.isAlive());
        assertFalse(dyn.isAlive());
    }

    @Test
    void aRestartIsLoggedAsOneStructuredLine() {
        Events ev = new Events();
        Pid sup = Supervisor.start(StrategyTest.LENIENT, List.of(Worker.spec("logged", ev))).pid();
        Pid old = StrategyTest.pids(sup).getFirst();
        String log = captureStderr(() -> {
            Proc.exit(old, ExitReason.of("kaput"));
            Supervisor.whichChildren(sup); // the restart (and its log line) happened before this reply
        });
        Pid now = StrategyTest.pids(sup).getFirst();
        assertTrue(log.contains("child_restarted supervisor=" + sup + " id=logged pid=" + old + " reason=kaput new_pid="
                + now), log);
        Supervisor.stop(sup);
    }

    @Test
    void givingUpIsLogged() {
        Events ev = new Events();
        Pid sup = Supervisor.start(SupervisorFlags.oneForOne().withIntensity(0, IntensityTest.HOUR),
                List.of(Worker.spec("w", ev))).pid();
        String log = captureStderr(() -> {
            Proc.exit(StrategyTest.pids(sup).getFirst(), ExitReason.of("kaput"));
            TestKit.awaitDown(sup, Procs.WAIT);
        });
        assertTrue(log.contains("supervisor_gave_up supervisor=" + sup + " reason=reached_max_restart_intensity"), log);
    }

    /** slf4j-simple writes to whatever System.err is at the time of each line. */
    static String captureStderr(Runnable body) {
        PrintStream saved = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
