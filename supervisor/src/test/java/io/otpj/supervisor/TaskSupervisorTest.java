package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.Name;
import io.otpj.core.MonitorRef;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerExitedException;
import io.otpj.core.StartException;
import io.otpj.core.StartResult;
import io.otpj.core.Task;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Semantics: "Task.Supervisor: async (linked and monitored), async_nolink (monitored only: a
 * crash is an outcome for the caller, not a signal), start_child (temporary by default,
 * transient or permanent), children, terminate_child, max_children; tasks stop with their
 * supervisor."
 */
class TaskSupervisorTest {

    static final DynamicSupervisor.Options LENIENT =
            DynamicSupervisor.Options.defaults().withIntensity(100, Duration.ofHours(1));

    static Pid startSup(DynamicSupervisor.Options opts) {
        return TaskSupervisor.start(opts).pid();
    }

    @Test
    void asyncRunsUnderTheSupervisorAndReturnsItsResult() throws Exception {
        Pid sup = startSup(LENIENT);
        CountDownLatch release = new CountDownLatch(1);
        Procs.inProcess(() -> {
            Task<String> t = TaskSupervisor.async(sup, () -> {
                release.await();
                return "done";
            });
            assertEquals(List.of(t.pid()), TaskSupervisor.children(sup), "a running task is a child of the supervisor");
            release.countDown();
            assertEquals("done", t.await(Procs.WAIT));
            Procs.awaitDown(t.pid());
            assertEquals(List.of(), TaskSupervisor.children(sup), "a finished temporary task is forgotten");
        });
        DynamicSupervisor.stop(sup);
    }

    @Test
    void asyncNolinkCrashIsAnOutcomeForTheCallerWithTheRealReasonNotASignal() {
        Pid sup = startSup(LENIENT);
        Procs.inProcess(() -> {
            // Dies at once: the reason must still be its own, not noproc (it waits to be watched).
            Task<Object> t = TaskSupervisor.asyncNolink(sup, () -> {
                throw new IllegalStateException("card declined");
            });
            ServerExitedException e = assertThrows(ServerExitedException.class, () -> t.await(Procs.WAIT));
            assertInstanceOf(ExitReason.Crash.class, e.reason());
            assertTrue(e.reason().toString().contains("card declined"), e.reason().toString());
            // Still here: the crash reached this (non-trapping) caller as an outcome only.
            Task<Object> y = TaskSupervisor.asyncNolink(sup, () -> {
                throw new IllegalStateException("again");
            });
            assertThrows(ServerExitedException.class, () -> y.yield(Procs.WAIT));
        });
        assertTrue(sup.isAlive(), "temporary task crashes do not count against the supervisor");
        DynamicSupervisor.stop(sup);
    }

    @Test
    void asyncLinkedCrashTakesTheNonTrappingCallerDown() {
        Pid sup = startSup(LENIENT);
        ExitReason callerReason = Procs.inProcess(() -> {
            Pid caller = Proc.spawn(() -> {
                // Starts its task only once it is monitored: a DOWN of a process already dead would say noproc.
                Proc.receive(m -> m == Go.GO, Procs.WAIT);
                TaskSupervisor.async(sup, () -> {
                    throw new IllegalStateException("linked boom");
                });
                Proc.receive(m -> false, Procs.WAIT);
            });
            MonitorRef ref = Proc.monitor(caller);
            Proc.send(caller, Go.GO);
            return Procs.awaitDown(ref);
        });
        assertTrue(callerReason.toString().contains("linked boom"), callerReason.toString());
        DynamicSupervisor.stop(sup);
    }

    enum Go { GO }

    record Tasks(Pid nolink, Pid linked) {}

    @Test
    void anUnlinkedTaskOutlivesItsCallerAndALinkedOneDiesWithIt() throws Exception {
        Pid sup = startSup(LENIENT);
        LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        CountDownLatch release = new CountDownLatch(1);
        Tasks tasks = Procs.inProcess(() -> {
            Pid test = Proc.self();
            Pid caller = Proc.spawn(() -> {
                Task<Object> nolink = TaskSupervisor.asyncNolink(sup, () -> {
                    release.await();
                    seen.add("nolink finished");
                    return null;
                });
                Task<Object> linked = TaskSupervisor.async(sup, () -> {
                    Proc.receive(m -> false, Procs.WAIT);
                    return null;
                });
                Proc.send(test, new Tasks(nolink.pid(), linked.pid()));
                Proc.receive("crash"::equals, Procs.WAIT);
                throw new IllegalStateException("caller crashes");
            });
            Tasks t = (Tasks) Proc.receive(m -> m instanceof Tasks, Procs.WAIT).orElseThrow();
            var watchLinked = Proc.monitor(t.linked());
            Proc.send(caller, "crash");
            ExitReason linkedReason = Procs.awaitDown(watchLinked);
            assertTrue(linkedReason.toString().contains("caller crashes"), linkedReason.toString());
            Procs.awaitDown(caller);
            return t;
        });
        assertTrue(tasks.nolink().isAlive(), "the unlinked task is still running");
        release.countDown();
        assertEquals("nolink finished", seen.poll(30, TimeUnit.SECONDS));
        DynamicSupervisor.stop(sup);
    }

    @Test
    void aTaskWhoseOwnerDiesBeforeWatchingItNeverRunsItsFunction() {
        AtomicBoolean ran = new AtomicBoolean();
        LinkedBlockingQueue<Pid> started = new LinkedBlockingQueue<>();
        Procs.inProcess(() -> {
            Pid owner = Proc.spawn(() -> Task.asyncStartedBy(body -> {
                started.add(Proc.spawn(body));
                throw new IllegalStateException("owner dies inside its start");
            }, false, () -> {
                ran.set(true);
                return null;
            }));
            Procs.awaitDown(owner);
            Pid task = started.poll(30, TimeUnit.SECONDS);
            ExitReason r = Procs.awaitDown(task); // normal, or noproc if it ended before this monitor
            assertTrue(r.equals(ExitReason.normal()) || r.toString().equals("noproc"), r.toString());
        });
        assertFalse(ran.get(), "nobody was there to collect it");
    }

    @Test
    void startChildIsTemporaryByDefaultTransientRerunsAfterACrashPermanentAfterAnyExit() throws Exception {
        Pid sup = startSup(LENIENT);
        LinkedBlockingQueue<String> runs = new LinkedBlockingQueue<>();
        // temporary: a crash is not rerun
        Pid temp = TaskSupervisor.startChild(sup, () -> {
            runs.add("temporary");
            throw new IllegalStateException("no rerun");
        }).pid();
        assertEquals("temporary", runs.poll(30, TimeUnit.SECONDS));
        Procs.inProcess(() -> Procs.awaitDown(temp));
        // transient: crashes once, is run again, then ends normally and is not run again
        AtomicInteger transientRuns = new AtomicInteger();
        TaskSupervisor.startChild(sup, () -> {
            int n = transientRuns.incrementAndGet();
            runs.add("transient " + n);
            if (n == 1) {
                throw new IllegalStateException("first run fails");
            }
        }, Restart.TRANSIENT);
        assertEquals("transient 1", runs.poll(30, TimeUnit.SECONDS));
        assertEquals("transient 2", runs.poll(30, TimeUnit.SECONDS));
        // permanent: run again after a normal exit; the third run stays
        AtomicInteger permanentRuns = new AtomicInteger();
        TaskSupervisor.startChild(sup, () -> {
            int n = permanentRuns.incrementAndGet();
            runs.add("permanent " + n);
            if (n == 3) {
                Proc.receive(m -> false, Proc.INFINITY);
            }
        }, Restart.PERMANENT);
        assertEquals("permanent 1", runs.poll(30, TimeUnit.SECONDS));
        assertEquals("permanent 2", runs.poll(30, TimeUnit.SECONDS));
        assertEquals("permanent 3", runs.poll(30, TimeUnit.SECONDS));
        // Everything that was to happen has happened: one child left, the permanent one (the
        // transient one's normal exit may still be on its way to the supervisor).
        TestKit.eventually(() -> TaskSupervisor.children(sup).size() == 1, Procs.WAIT,
                () -> "one child left, the permanent task: " + TaskSupervisor.children(sup));
        assertNull(runs.poll(), "nothing else ran: " + runs);
        assertEquals(2, transientRuns.get());
        DynamicSupervisor.stop(sup);
    }

    @Test
    void maxChildrenRefusesStartChildAndAsyncWithoutRunningAnything() {
        Pid sup = startSup(LENIENT.withMaxChildren(1));
        CountDownLatch hold = new CountDownLatch(1);
        assertInstanceOf(StartResult.Ok.class, TaskSupervisor.startChild(sup, () -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        AtomicBoolean ran = new AtomicBoolean();
        assertEquals(new StartResult.Failed(DynamicSupervisor.MAX_CHILDREN), TaskSupervisor.startChild(sup, () -> ran.set(true)));
        Procs.inProcess(() -> {
            StartException e = assertThrows(StartException.class, () -> TaskSupervisor.async(sup, () -> ran.getAndSet(true)));
            assertEquals(new StartResult.Failed(DynamicSupervisor.MAX_CHILDREN), e.result());
            assertThrows(StartException.class, () -> TaskSupervisor.asyncNolink(sup, () -> ran.getAndSet(true)));
        });
        assertFalse(ran.get());
        hold.countDown();
        DynamicSupervisor.stop(sup);
    }

    @Test
    void stoppingTheSupervisorStopsItsTasksAndTerminateChildStopsOne() {
        Pid sup = startSup(LENIENT);
        Pid a = TaskSupervisor.startChild(sup, () -> Proc.receive(m -> false, Proc.INFINITY)).pid();
        Pid b = TaskSupervisor.startChild(sup, () -> Proc.receive(m -> false, Proc.INFINITY)).pid();
        assertEquals(List.of(a, b), TaskSupervisor.children(sup));
        TaskSupervisor.terminateChild(sup, a);
        assertFalse(a.isAlive());
        assertEquals(List.of(b), TaskSupervisor.children(sup));
        assertThrows(IllegalArgumentException.class, () -> TaskSupervisor.terminateChild(sup, a));
        DynamicSupervisor.stop(sup);
        assertFalse(b.isAlive());
    }

    @Test
    void underATreeByNameAndBadInput() {
        Name name = Name.local(new SupervisorProcessTest.SupName("task-sup-test"));
        Pid top = Supervisor.start(StrategyTest.LENIENT, List.of(TaskSupervisor.childSpec("tasks", LENIENT, name))).pid();
        Optional<Integer> r = Procs.inProcess(() -> TaskSupervisor.asyncNolink(name, () -> 6 * 7).yield(Procs.WAIT));
        assertEquals(Optional.of(42), r);
        assertThrows(NullPointerException.class, () -> TaskSupervisor.startChild(name, null));
        assertThrows(NullPointerException.class, () -> TaskSupervisor.startChild(name, () -> {}, null));
        assertThrows(NullPointerException.class, () -> TaskSupervisor.startChild(null, () -> {}));
        assertThrows(IllegalStateException.class, () -> TaskSupervisor.async(name, () -> 1), "a plain thread owns no task");
        Procs.inProcess(() -> {
            assertThrows(NullPointerException.class, () -> TaskSupervisor.async(name, null));
            assertThrows(NullPointerException.class, () -> Task.asyncStartedBy(body -> null, false, () -> 1));
        });
        assertEquals(List.of(), TaskSupervisor.children(name), "nothing was left running");
        Supervisor.stop(top);
    }
}
