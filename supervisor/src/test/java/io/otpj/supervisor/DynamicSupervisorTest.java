package io.otpj.supervisor;

import io.otpj.test.TestKit;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Semantics: "DynamicSupervisor: one_for_one only, start_child at run time, max_children (error
 * max_children past it), extra args; a child whose init returns ignore is not kept."
 */
class DynamicSupervisorTest {

    static final DynamicSupervisor.Options LENIENT =
            DynamicSupervisor.Options.defaults().withIntensity(100, Duration.ofHours(1));

    @Test
    void optionsDefaultsAndValidation() {
        var d = DynamicSupervisor.Options.defaults();
        assertEquals(DynamicSupervisor.UNLIMITED, d.maxChildren());
        assertEquals(List.of(), d.extraArgs());
        assertEquals(3, d.maxRestarts());
        assertEquals(Duration.ofSeconds(5), d.maxPeriod());
        assertThrows(IllegalArgumentException.class, () -> d.withMaxChildren(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withIntensity(-1, Duration.ofSeconds(1)));
        assertThrows(NullPointerException.class, () -> d.withExtraArgs(null));
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> d.withExtraArgs(withNull));
        assertThrows(NullPointerException.class, () -> DynamicSupervisor.start(null));
    }

    @Test
    void aStartFunctionHandingBackAnExistingChildDoesNotMakeASecondRecord() {
        Events ev = new Events();
        Pid sup = DynamicSupervisor.start(LENIENT).pid();
        Name name = Name.local("ensure-started-" + System.nanoTime());
        // "Ensure started": a taken name is turned into Ok(holder), as callers often write it.
        ChildSpec ensure = ChildSpec.worker("c-1", () -> switch (Worker.start(Worker.config("c-1", ev).named(name))) {
            case StartResult.Failed(ExitReason.AlreadyStarted(Pid holder)) -> new StartResult.Ok(holder);
            case StartResult r -> r;
        });
        Pid first = DynamicSupervisor.startChild(sup, ensure).pid();
        assertEquals(new StartResult.Failed(new ExitReason.AlreadyStarted(first)), DynamicSupervisor.startChild(sup, ensure));
        assertEquals(1, DynamicSupervisor.countChildren(sup).specs());
        DynamicSupervisor.terminateChild(sup, first);
        assertEquals(List.of(), DynamicSupervisor.whichChildren(sup));
        DynamicSupervisor.stop(sup);
    }

    @Test
    void startsEmptyAndStartsChildrenAtRunTime() {
        Events ev = new Events();
        Pid sup = DynamicSupervisor.start(LENIENT).pid();
        assertEquals(List.of(), DynamicSupervisor.whichChildren(sup));
        Pid a = DynamicSupervisor.startChild(sup, Worker.spec("a", ev)).pid();
        Pid b = DynamicSupervisor.startChild(sup, Worker.spec("b", ev)).pid();
        assertEquals(List.of(
                new ChildInfo("a", Optional.of(a), ChildStatus.RUNNING, ChildType.WORKER),
                new ChildInfo("b", Optional.of(b), ChildStatus.RUNNING, ChildType.WORKER)),
                DynamicSupervisor.whichChildren(sup));
        assertEquals(new ChildCounts(2, 2, 0, 2), DynamicSupervisor.countChildren(sup));
        DynamicSupervisor.stop(sup);
        assertFalse(a.isAlive());
        assertFalse(b.isAlive());
    }

    @Test
    void oneForOneRestartsOnlyTheExitedChildInPlace() {
        Events ev = new Events();
        Pid sup = DynamicSupervisor.start(LENIENT).pid();
        Pid a = DynamicSupervisor.startChild(sup, Worker.spec("a", ev)).pid();
        Pid b = DynamicSupervisor.startChild(sup, Worker.spec("b", ev)).pid();
        Proc.exit(a, ExitReason.of("boom"));
        List<ChildInfo> kids = DynamicSupervisor.whichChildren(sup);
        assertEquals(List.of("a", "b"), kids.stream().map(ChildInfo::id).toList());
        assertNotEquals(a, kids.get(0).pid().orElseThrow());
        assertEquals(b, kids.get(1).pid().orElseThrow());
        DynamicSupervisor.stop(sup);
    }

    @Test
    void childrenThatAreNotRestartedAreForgotten() {
        Events ev = new Events();
        Pid sup = DynamicSupervisor.start(LENIENT).pid();
        Pid t = DynamicSupervisor.startChild(sup, Worker.spec("t", ev).withRestart(Restart.TRANSIENT)).pid();
        Pid tmp = DynamicSupervisor.startChild(sup, Worker.spec("tmp", ev).withRestart(Restart.TEMPORARY)).pid();
        Proc.exit(t, ExitReason.shutdown());
        Proc.exit(tmp, ExitReason.of("boom"));
        assertEquals(List.of(), DynamicSupervisor.whichChildren(sup));
        DynamicSupervisor.stop(sup);
    }

    @Test
    void maxChildrenIsAnErrorPastTheLimit() {
        Events ev = new Events();
        Pid sup = DynamicSupervisor.start(LENIENT.withMaxChildren(2)).pid();
        DynamicSupervisor.startChild(sup, Worker.spec("1", ev)).pid();
        Pid two = DynamicSupervisor.startChild(sup, Worker.spec("2", ev)).pid();
        StartResult third = DynamicSupervisor.startChild(sup, Worker.spec("3", ev));
        assertEquals(new StartResult.Failed(DynamicSupervisor.MAX_CHILDREN), third);
        assertEquals("max_children", ((StartResult.Failed) third).reason().toString());
        assertEquals(0, ev.starts("3"), "the start function is not run past the limit");
        // A restart does not free a slot; a termination does.
        Proc.exit(two, ExitReason.kill());
        assertEquals(new StartResult.Failed(DynamicSupervisor.MAX_CHILDREN), DynamicSupervisor.startChild(sup, Worker.spec("3", ev)));
        DynamicSupervisor.terminateChild(sup, DynamicSupervisor.whichChildren(sup).get(1).pid().orElseThrow());
        assertInstanceOf(StartResult.Ok.class, DynamicSupervisor.startChild(sup, Worker.spec("3", ev)));
        DynamicSupervisor.stop(sup);
    }

    @Test
    void aChildWhoseInitReturnsIgnoreIsNotKept() {
        Events ev = new Events();
        Pid sup = DynamicSupervisor.start(LENIENT.withMaxChildren(1)).pid();
        assertEquals(new StartResult.Ignored(), DynamicSupervisor.startChild(sup, Worker.spec(Worker.config("i", ev).ignoring())));
        assertEquals(List.of(), DynamicSupervisor.whichChildren(sup));
        assertInstanceOf(StartResult.Ok.class, DynamicSupervisor.startChild(sup, Worker.spec("ok", ev)));
        DynamicSupervisor.stop(sup);
    }

    @Test
    void aFailedStartIsReturnedAndNotKept() {
        Events ev = new Events();
        Pid sup = DynamicSupervisor.start(LENIENT).pid();
        Worker.Config bad = Worker.config("bad", ev);
        bad.failStarts().set(1);
        assertEquals(new StartResult.Failed(Worker.INJECTED), DynamicSupervisor.startChild(sup, Worker.spec(bad)));
        RuntimeException boom = new RuntimeException("boom");
        assertEquals(new StartResult.Failed(ExitReason.crash(boom)),
                DynamicSupervisor.startChild(sup, ChildSpec.worker("t", () -> { throw boom; })));
        assertEquals(List.of(), DynamicSupervisor.whichChildren(sup));
        DynamicSupervisor.stop(sup);
    }

    /** A server that reports the arguments its start received. */
    static final class Echo implements GenServer<List<Object>, List<Object>> {
        @Override public InitResult<List<Object>> init(List<Object> args) { return ok(args); }
    }

    @Test
    void extraArgumentsReachTheStartFunction() {
        Pid sup = DynamicSupervisor.start(LENIENT.withExtraArgs(List.of("ledger", 42))).pid();
        Pid child = DynamicSupervisor.startChild(sup, DynamicSupervisor.worker("c-1", extra -> {
            List<Object> args = new ArrayList<>(extra);
            args.add("c-1");
            return GenServer.startLink(new Echo(), List.copyOf(args));
        })).pid();
        assertEquals(List.of("ledger", 42, "c-1"), io.otpj.core.Sys.getState(child));
        // After a restart, the same extra arguments.
        Proc.exit(child, ExitReason.kill());
        Pid again = DynamicSupervisor.whichChildren(sup).getFirst().pid().orElseThrow();
        assertEquals(List.of("ledger", 42, "c-1"), io.otpj.core.Sys.getState(again));
        DynamicSupervisor.stop(sup);
        // Under a plain Supervisor the same spec gets no extra arguments.
        Pid plain = Supervisor.start(StrategyTest.LENIENT, List.of(DynamicSupervisor.worker("e",
                extra -> GenServer.startLink(new Echo(), extra)))).pid();
        assertEquals(List.of(), io.otpj.core.Sys.getState(Supervisor.whichChildren(plain).getFirst().pid().orElseThrow()));
        Supervisor.stop(plain);
    }

    @Test
    void terminateChildByPid() {
        Events ev = new Events();
        Pid sup = DynamicSupervisor.start(LENIENT).pid();
        Pid a = DynamicSupervisor.startChild(sup, Worker.spec(Worker.config("a", ev).trapping())).pid();
        Pid b = DynamicSupervisor.startChild(sup, Worker.spec("b", ev)).pid();
        DynamicSupervisor.terminateChild(sup, a);
        assertFalse(a.isAlive());
        assertEquals(List.of(new Events.TerminateDone("a", a, ExitReason.shutdown())), ev.of(Events.TerminateDone.class));
        assertEquals(List.of(b), DynamicSupervisor.whichChildren(sup).stream().map(c -> c.pid().orElseThrow()).toList());
        var e = assertThrows(IllegalArgumentException.class, () -> DynamicSupervisor.terminateChild(sup, a));
        assertTrue(e.getMessage().contains("no child " + a), e.getMessage());
        var byId = assertThrows(IllegalArgumentException.class, () -> Supervisor.terminateChild(sup, "b"));
        assertTrue(byId.getMessage().contains("DynamicSupervisor"), byId.getMessage());
        assertTrue(sup.isAlive());
        DynamicSupervisor.stop(sup);
    }

    @Test
    void intensityAndEscalation() {
        Events ev = new Events();
        Procs.inProcess(() -> {
            Pid sup = DynamicSupervisor.start(DynamicSupervisor.Options.defaults().withIntensity(1, Duration.ofHours(1))).pid();
            var ref = Proc.monitor(sup);
            Pid other = DynamicSupervisor.startChild(sup, Worker.spec(Worker.config("other", ev).trapping())).pid();
            DynamicSupervisor.startChild(sup, Worker.spec("w", ev));
            Proc.exit(DynamicSupervisor.whichChildren(sup).get(1).pid().orElseThrow(), ExitReason.of("boom"));
            Proc.exit(DynamicSupervisor.whichChildren(sup).get(1).pid().orElseThrow(), ExitReason.of("boom"));
            assertEquals(ExitReason.shutdown(), Procs.awaitDown(ref));
            assertFalse(other.isAlive());
        });
        assertEquals(1, ev.of(Events.TerminateDone.class).size());
        ev.startedPids().forEach(p -> assertFalse(p.isAlive()));
    }

    @Test
    void aFailedRestartIsRetriedAndShowsRestarting() {
        Events ev = new Events();
        Worker.Config cfg = Worker.config("flaky", ev);
        Pid sup = DynamicSupervisor.start(LENIENT).pid();
        Pid first = DynamicSupervisor.startChild(sup, Worker.spec(cfg)).pid();
        cfg.failStarts().set(2);
        List<Object> seen = Procs.afterEvent(sup, () -> Proc.exit(first, ExitReason.of("boom")),
                List.of(new Requests.WhichChildren(), new Requests.CountChildren()));
        @SuppressWarnings("unchecked")
        ChildInfo during = ((List<ChildInfo>) seen.get(0)).getFirst();
        assertEquals(new ChildCounts(1, 0, 0, 1), seen.get(1));
        assertEquals(ChildStatus.RESTARTING, during.status());
        int polls = 0;
        while (DynamicSupervisor.whichChildren(sup).getFirst().status() == ChildStatus.RESTARTING) {
            assertTrue(++polls < 10);
        }
        assertEquals(2, ev.starts("flaky"));
        DynamicSupervisor.stop(sup);
    }

    /**
     * Elixir: terminate_child on a child between restarts (its restart keeps failing) stops the
     * restarting and returns ok; a second call reports not found, and the counts show no child.
     */
    @Test
    void terminatingAChildBetweenRestartsStopsTheRestartingAndForgetsIt() {
        Events ev = new Events();
        Worker.Config cfg = Worker.config("flaky", ev);
        Pid sup = DynamicSupervisor.start(LENIENT).pid();
        Pid first = DynamicSupervisor.startChild(sup, Worker.spec(cfg)).pid();
        cfg.failStarts().set(1_000_000); // every restart fails and is retried
        // The supervisor handles the EXIT (its restart fails, a retry is queued behind us), then
        // our terminate: the child is between restarts when it arrives.
        Object reply = Procs.afterEvent(sup, () -> Proc.exit(first, ExitReason.of("boom")), new Requests.TerminatePid(first));
        assertSame(Requests.DONE, reply);
        long starts = ev.starts("flaky");
        assertEquals(new ChildCounts(0, 0, 0, 0), DynamicSupervisor.countChildren(sup));
        assertEquals(List.of(), DynamicSupervisor.whichChildren(sup));
        assertEquals(starts, ev.starts("flaky"), "the queued retry found the child gone and started nothing");
        IllegalArgumentException second = assertThrows(IllegalArgumentException.class,
                () -> DynamicSupervisor.terminateChild(sup, first));
        assertTrue(second.getMessage().contains("has no child"), second.getMessage());
        assertTrue(sup.isAlive(), "the supervisor is unharmed");
        DynamicSupervisor.stop(sup);
    }

    @Test
    void stopsAllChildrenConcurrentlyEachWithinItsShutdownTime() {
        Events ev = new Events();
        Pid sup = DynamicSupervisor.start(LENIENT).pid();
        List<Pid> kids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            kids.add(DynamicSupervisor.startChild(sup, Worker.spec(Worker.config("hang" + i, ev).hanging())
                    .withShutdown(Shutdown.timeout(Duration.ofMillis(100)))).pid());
        }
        kids.add(DynamicSupervisor.startChild(sup, Worker.spec(Worker.config("polite", ev).trapping())).pid());
        kids.add(DynamicSupervisor.startChild(sup, Worker.spec(Worker.config("brutal", ev).trapping())
                .withShutdown(Shutdown.brutalKill())).pid());
        DynamicSupervisor.stop(sup);
        kids.forEach(p -> assertFalse(p.isAlive()));
        // All three hanging children were sent shutdown before any was killed.
        assertEquals(3, ev.of(Events.TerminateBegun.class).stream().filter(t -> t.id().toString().startsWith("hang")).count());
        assertEquals(List.of("polite"), ev.of(Events.TerminateDone.class).stream().map(Events.TerminateDone::id).toList());
        assertEquals(new HashSet<>(kids), new HashSet<>(ev.of(Events.Died.class).stream().map(Events.Died::pid).toList()));
    }

    @Test
    void namedAndNested() {
        Events ev = new Events();
        Name name = Name.local(new SupervisorProcessTest.SupName("campaigns-test"));
        Pid top = Supervisor.start(StrategyTest.LENIENT, List.of(DynamicSupervisor.childSpec("campaigns", LENIENT, name))).pid();
        Pid c = DynamicSupervisor.startChild(name, Worker.spec("c-1", ev)).pid();
        Pid dyn1 = GenServer.whereis(name).orElseThrow();
        Proc.exit(dyn1, ExitReason.kill());
        // The dynamic supervisor was restarted under its name, empty: its children died with it.
        TestKit.eventually(() -> GenServer.whereis(name).filter(p -> p != dyn1).isPresent(), Procs.WAIT, "GenServer.whereis(name).filter(p -> p != dyn1).isPresent()");
        assertFalse(c.isAlive());
        assertEquals(List.of(), DynamicSupervisor.whichChildren(name));
        Supervisor.stop(top);
    }
}
