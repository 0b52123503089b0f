package io.otpj.core;

import static io.otpj.core.Probe.await;
import static io.otpj.core.Probe.drainMailbox;
import static io.otpj.core.Probe.eval;
import static io.otpj.core.Probe.exec;
import static io.otpj.core.Probe.gated;
import static io.otpj.core.Probe.get;
import static io.otpj.core.Probe.idle;
import static io.otpj.core.Probe.join;
import static io.otpj.core.Probe.take;
import static io.otpj.core.Probe.watch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One test (or a small group) per line of the "Processes" section of otp-semantics.md, plus the
 * JVM-specific kill semantics, timers, selective receive and bad input documented on {@link Proc}.
 */
@Timeout(60)
class ProcessSemanticsTest {

    record Seq(int sender, int n) {}

    record Boom(String what) {}

    static final RuntimeException BOOM = new IllegalStateException("boom");

    // ---------------------------------------------------------------- identity

    /** "A process has an identity (pid) that is never reused while anyone can still hold it." */
    @Nested
    class Identity {

        @Test
        void pidsAreUniqueAndNeverReusedAfterDeath() {
            List<Pid> dead = new ArrayList<>();
            Set<Long> ids = new HashSet<>();
            Pid prev = null;
            for (int i = 0; i < 2_000; i++) {
                Pid p = Proc.spawn(() -> {});
                assertTrue(ids.add(p.id()), "id reused: " + p);
                if (prev != null) {
                    assertTrue(p.id() > prev.id(), "ids come from a counter that only grows");
                }
                prev = p;
                dead.add(p);
            }
            for (Pid p : dead) {
                join(p);
                assertFalse(p.isAlive());
            }
            // New processes, created after all those died, get new identities.
            for (int i = 0; i < 100; i++) {
                Pid fresh = idle();
                assertFalse(ids.contains(fresh.id()));
                for (Pid old : dead.subList(0, 10)) {
                    assertNotEquals(old, fresh);
                }
                Proc.exit(fresh, ExitReason.kill());
            }
        }

        @Test
        void selfIsThePidSpawnReturned() {
            CompletableFuture<Pid> reported = new CompletableFuture<>();
            Pid p = Proc.spawn(() -> reported.complete(Proc.self()));
            assertSame(p, get(reported));
            assertEquals(p, p);
            assertEquals("<" + Node.current().name() + "." + p.id() + "." + Node.current().creation() + ">", p.toString());
            assertThrows(IllegalStateException.class, Proc::self, "a plain thread has no pid");
            assertFalse(Proc.isProcess());
            assertTrue(eval(Proc::isProcess));
        }
    }

    // ---------------------------------------------------------------- ordering

    /** "Messages from one sender to one receiver arrive in the order they were sent." */
    @Test
    void messagesFromOneSenderArriveInOrder() throws Exception {
        int senders = 4;
        int each = 25_000;
        CompletableFuture<String> verdict = new CompletableFuture<>();
        Pid receiver = Proc.spawn(() -> {
            int[] next = new int[senders];
            for (int i = 0; i < senders * each; i++) {
                Seq s = (Seq) Proc.receive();
                if (s.n() != next[s.sender()]) {
                    verdict.complete("sender " + s.sender() + ": got " + s.n() + ", expected " + next[s.sender()]);
                    return;
                }
                next[s.sender()]++;
            }
            verdict.complete("ok");
        });
        // Two senders are processes, two are plain threads: the guarantee holds for both.
        for (int s = 0; s < 2; s++) {
            int sender = s;
            Proc.spawn(() -> {
                for (int n = 0; n < each; n++) {
                    Proc.send(receiver, new Seq(sender, n));
                }
            });
        }
        List<Thread> threads = new ArrayList<>();
        for (int s = 2; s < senders; s++) {
            int sender = s;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int n = 0; n < each; n++) {
                    Proc.send(receiver, new Seq(sender, n));
                }
            }));
        }
        assertEquals("ok", get(verdict));
        for (Thread t : threads) {
            t.join();
        }
    }

    // ---------------------------------------------------------------- sending to the dead

    /** "Sending to a dead process is not an error: the message is dropped." */
    @Test
    void sendingToADeadProcessIsDroppedSilently() {
        Pid p = Proc.spawn(() -> {});
        join(p);
        Proc.send(p, "from a thread");
        exec(() -> Proc.send(p, "from a process"));
        assertEquals(0, p.pcb.queueLength(), "nothing is queued for the dead");
        assertTrue(Proc.info(p).isEmpty());
    }

    @Test
    void sendingToAnUnregisteredNameIsBadarg() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Proc.send(Name.local("nobody-" + System.nanoTime()), "x"));
        assertTrue(e.getMessage().contains("no process registered"), e.getMessage());
    }

    // ---------------------------------------------------------------- exit reasons

    /** "Exit reasons: normal, shutdown, {shutdown, term}, kill / killed, noproc, and any other term." */
    @Nested
    class ExitReasons {

        private ExitReason exitOf(Probe.Step afterGo) {
            Pid p = gated(afterGo);
            CompletableFuture<ExitReason> reason = watch(p);
            Proc.send(p, "go");
            return get(reason);
        }

        @Test
        void normal() {
            ExitReason r = exitOf(() -> {});
            assertEquals(ExitReason.normal(), r);
            assertTrue(r.isClean());
        }

        @Test
        void shutdown() {
            ExitReason r = exitOf(() -> Proc.exit(ExitReason.shutdown()));
            assertInstanceOf(ExitReason.Shutdown.class, r);
            assertTrue(r.isClean());
        }

        @Test
        void shutdownWithTerm() {
            ExitReason r = exitOf(() -> Proc.exit(ExitReason.shutdown("maintenance")));
            assertEquals(new ExitReason.ShutdownWith("maintenance"), r);
            assertTrue(r.isClean());
        }

        @Test
        void killIsReceivedAsKilled() {
            Pid p = idle();
            CompletableFuture<ExitReason> reason = watch(p);
            Proc.exit(p, ExitReason.kill());
            assertEquals(ExitReason.killed(), get(reason));
            assertFalse(get(reason).isClean());
        }

        @Test
        void noprocForADeadProcess() {
            Pid p = Proc.spawn(() -> {});
            join(p);
            assertEquals(ExitReason.noproc(), get(watch(p)));
        }

        @Test
        void crashCarriesTheException() {
            ExitReason r = exitOf(() -> {
                throw BOOM;
            });
            ExitReason.Crash c = assertInstanceOf(ExitReason.Crash.class, r);
            assertSame(BOOM, c.cause());
            assertFalse(r.isClean());
        }

        @Test
        void errorsAreCrashesToo() {
            AssertionError err = new AssertionError("broken invariant");
            ExitReason r = exitOf(() -> {
                throw err;
            });
            assertSame(err, assertInstanceOf(ExitReason.Crash.class, r).cause());
        }

        @Test
        void anyOtherTerm() {
            Boom term = new Boom("disk full");
            assertEquals(ExitReason.of(term), exitOf(() -> Proc.exit(ExitReason.of(term))));
            assertEquals(new ExitReason.Term(term), ExitReason.of(term));
            assertSame(ExitReason.normal(), ExitReason.of(ExitReason.normal()), "a reason wraps to itself");
            assertFalse(ExitReason.of(term).isClean());

            // The same term as an exit signal ends a process that does not trap exits.
            Pid p = idle();
            CompletableFuture<ExitReason> reason = watch(p);
            Proc.exit(p, ExitReason.of(term));
            assertEquals(ExitReason.of(term), get(reason));
        }

        @Test
        void exitFromAPlainThreadIsRejected() {
            assertThrows(IllegalStateException.class, () -> Proc.exit(ExitReason.normal()));
        }
    }

    // ---------------------------------------------------------------- links

    @Nested
    class Links {

        /** A process that links to {@code other}, then waits; "crash" makes it throw {@link #BOOM}. */
        private Pid linkedTo(Pid other, boolean trap, BlockingQueue<Object> inbox) {
            CountDownLatch linked = new CountDownLatch(1);
            Pid p = Proc.spawn(() -> {
                Proc.trapExit(trap);
                Proc.link(other);
                linked.countDown();
                for (;;) {
                    Object m = Proc.receive();
                    if ("crash".equals(m)) {
                        throw BOOM;
                    }
                    if (inbox != null) {
                        inbox.add(m);
                    }
                }
            });
            await(linked);
            return p;
        }

        private Pid crashOnCommand() {
            return Proc.spawn(() -> {
                for (;;) {
                    if ("crash".equals(Proc.receive())) {
                        throw BOOM;
                    }
                }
            });
        }

        /** "Links are bidirectional." */
        @Test
        void anAbnormalExitTravelsBothWays() {
            // b dies -> a (which made the link) dies
            Pid b = crashOnCommand();
            Pid a = linkedTo(b, false, null);
            CompletableFuture<ExitReason> aExit = watch(a);
            Proc.send(b, "crash");
            assertSame(BOOM, ((ExitReason.Crash) get(aExit)).cause());

            // a (which made the link) dies -> b dies
            Pid b2 = crashOnCommand();
            Pid a2 = linkedTo(b2, false, null);
            CompletableFuture<ExitReason> b2Exit = watch(b2);
            Proc.send(a2, "crash");
            assertSame(BOOM, ((ExitReason.Crash) get(b2Exit)).cause());
        }

        /** "every linked process also exits with that reason", along a chain too deep to recurse. */
        @Test
        void anExitPropagatesAlongALongChainWithTheSameReason() {
            int length = 10_000;
            CompletableFuture<Pid> tail = new CompletableFuture<>();
            Pid head = Proc.spawn(() -> chain(length, tail));
            CompletableFuture<ExitReason> headExit = watch(head);
            CompletableFuture<ExitReason> tailExit = watch(get(tail));
            ExitReason reason = ExitReason.of(new Boom("cascade"));
            Proc.exit(get(tail), reason);
            assertEquals(reason, get(tailExit));
            assertEquals(reason, get(headExit));
        }

        private static void chain(int left, CompletableFuture<Pid> tail) {
            if (left == 0) {
                tail.complete(Proc.self());
            } else {
                Proc.spawnLink(() -> chain(left - 1, tail));
            }
            for (;;) {
                Proc.receive();
            }
        }

        /** "unless it traps exits: then it gets an EXIT(from, reason) message instead." */
        @Test
        void aTrappingProcessGetsAnExitMessageAndLives() {
            BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
            Pid b = crashOnCommand();
            Pid a = linkedTo(b, true, inbox);
            Proc.send(b, "crash");
            Exit e = (Exit) take(inbox);
            assertSame(b, e.from());
            assertSame(BOOM, ((ExitReason.Crash) e.reason()).cause());
            Proc.send(a, "still-here");
            assertEquals("still-here", take(inbox));
            assertTrue(a.isAlive());

            // Exit signals sent with exit/2 are trapped too, naming the sender.
            Pid sender = eval(() -> {
                Proc.exit(a, ExitReason.of("from-a-process"));
                return Proc.self();
            });
            assertEquals(new Exit(sender, ExitReason.of("from-a-process")), take(inbox));
            Proc.exit(a, ExitReason.of("from-a-thread"));
            Exit fromThread = (Exit) take(inbox);
            assertEquals(0, fromThread.from().id(), "a plain thread signals as <0.0.0>");
            assertEquals(ExitReason.of("from-a-thread"), fromThread.reason());
            assertTrue(a.isAlive());
            Proc.exit(a, ExitReason.kill());
        }

        /** "normal never kills a linked process." */
        @Test
        void normalNeverKillsALinkedProcess() {
            Pid b = gated(() -> {});
            Pid a = linkedTo(b, false, null);
            Proc.send(b, "go");
            join(b); // b's death, including its link signals, is complete
            assertTrue(a.isAlive());

            // Nor does exit(pid, normal) sent by someone else.
            exec(() -> Proc.exit(a, ExitReason.normal()));
            Proc.exit(a, ExitReason.normal());
            assertTrue(a.isAlive());

            // A trapping process is told, with reason normal.
            BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
            Pid b2 = gated(() -> {});
            Pid trapper = linkedTo(b2, true, inbox);
            Proc.send(b2, "go");
            assertEquals(new Exit(b2, ExitReason.normal()), take(inbox));
            Proc.exit(a, ExitReason.kill());
            Proc.exit(trapper, ExitReason.kill());
        }

        /** "kill cannot be trapped and turns into killed for the linked processes." */
        @Test
        void killIsUntrappableAndReachesLinksAsKilled() {
            CountDownLatch trapping = new CountDownLatch(1);
            Pid target = Proc.spawn(() -> {
                Proc.trapExit(true);
                trapping.countDown();
                for (;;) {
                    Proc.receive();
                }
            });
            await(trapping);
            BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
            Pid trapper = linkedTo(target, true, inbox);
            Pid plain = linkedTo(target, false, null);
            CompletableFuture<ExitReason> targetExit = watch(target);
            CompletableFuture<ExitReason> plainExit = watch(plain);

            Proc.exit(target, ExitReason.kill());

            assertEquals(ExitReason.killed(), get(targetExit), "trapping exits does not stop kill");
            assertEquals(ExitReason.killed(), get(plainExit), "links receive killed, not kill");
            assertEquals(new Exit(target, ExitReason.killed()), take(inbox));
            Proc.exit(trapper, ExitReason.kill());
        }

        @Test
        void linkingToADeadProcessSignalsNoproc() {
            Pid dead = Proc.spawn(() -> {});
            join(dead);
            Object got = eval(() -> {
                Proc.trapExit(true);
                Proc.link(dead);
                return Proc.receive(Probe.WAIT).orElseThrow();
            });
            assertEquals(new Exit(dead, ExitReason.noproc()), got);

            Pid p = gated(() -> Proc.link(dead));
            CompletableFuture<ExitReason> exit = watch(p);
            Proc.send(p, "go");
            assertEquals(ExitReason.noproc(), get(exit));
        }

        @Test
        void unlinkRemovesTheLinkBothWays() {
            Pid b = crashOnCommand();
            CountDownLatch unlinked = new CountDownLatch(1);
            Pid c = Proc.spawn(() -> {
                Proc.link(b);
                Proc.link(b); // twice: still one link
                Proc.link(Proc.self()); // to oneself: nothing
                if (Proc.info(Proc.self()).orElseThrow().links().equals(List.of(b))) {
                    Proc.unlink(b);
                    if (Proc.info(b).orElseThrow().links().isEmpty()) {
                        unlinked.countDown();
                    }
                }
                for (;;) {
                    Proc.receive();
                }
            });
            await(unlinked);
            Proc.send(b, "crash");
            join(b);
            assertTrue(c.isAlive(), "an unlinked process is not taken down");
            Proc.exit(c, ExitReason.kill());
        }

        /** "spawn_link ... create the link atomically with the start." */
        @Test
        void spawnLinkLinksBeforeTheChildRuns() {
            int children = 500;
            List<Object> exits = eval(() -> {
                Proc.trapExit(true);
                Pid me = Proc.self();
                for (int i = 0; i < children; i++) {
                    Proc.spawnLink(() -> {
                        if (!Proc.info(Proc.self()).orElseThrow().links().contains(me)) {
                            Proc.exit(ExitReason.of("not linked yet"));
                        }
                        throw BOOM;
                    });
                }
                List<Object> got = new ArrayList<>();
                for (int i = 0; i < children; i++) {
                    got.add(Proc.receive(Exit.class, Probe.WAIT).orElseThrow());
                }
                return got;
            });
            for (Object e : exits) {
                assertSame(BOOM, ((ExitReason.Crash) ((Exit) e).reason()).cause(),
                        "a child that crashes at once is still seen through the link, never as noproc");
            }

            // Without trapping, the parent goes down with the child.
            Pid parent = gated(() -> {
                Proc.spawnLink(() -> {
                    throw BOOM;
                });
                Proc.receive();
            });
            CompletableFuture<ExitReason> exit = watch(parent);
            Proc.send(parent, "go");
            assertSame(BOOM, ((ExitReason.Crash) get(exit)).cause());

            assertThrows(IllegalStateException.class, () -> Proc.spawnLink(() -> {}), "a plain thread has no links");
        }
    }

    // ---------------------------------------------------------------- monitors

    @Nested
    class Monitors {

        /** "Monitors are one-way." */
        @Test
        void theMonitoredProcessIsNotAffectedByTheWatcher() {
            Pid target = idle();
            CountDownLatch monitoring = new CountDownLatch(1);
            Pid watcher = Proc.spawn(() -> {
                Proc.monitor(target);
                monitoring.countDown();
                throw BOOM;
            });
            await(monitoring);
            join(watcher);
            assertTrue(target.isAlive());
            assertEquals(0, Proc.info(target).orElseThrow().messageQueueLength(), "the target is told nothing");
            assertEquals(0, Proc.info(target).orElseThrow().monitoredBy(), "a dead watcher's monitor is harmless");

            // The other way round: the watcher gets DOWN and lives on.
            Object[] got = eval(() -> {
                MonitorRef ref = Proc.monitor(target);
                Proc.exit(target, ExitReason.of("bye"));
                Down d = Proc.receive(Down.class, Probe.WAIT).orElseThrow();
                return new Object[] {ref, d};
            });
            assertEquals(new Down((MonitorRef) got[0], target, ExitReason.of("bye")), got[1]);
        }

        /** "Exactly one DOWN(ref, pid, reason) per monitor." */
        @Test
        void exactlyOneDownPerMonitor() {
            exec(() -> {
                Pid target = idle();
                MonitorRef r1 = Proc.monitor(target);
                MonitorRef r2 = Proc.monitor(target);
                MonitorRef r3 = Proc.monitor(target);
                assertEquals(3, Proc.info(target).orElseThrow().monitoredBy());
                assertEquals(target, r1.target());
                Proc.exit(target, ExitReason.kill());
                List<Object> got = drainMailbox();
                assertEquals(List.of(new Down(r1, target, ExitReason.killed()), new Down(r2, target, ExitReason.killed()),
                        new Down(r3, target, ExitReason.killed())), got);
                assertFalse(Proc.demonitor(r1), "a fired monitor is no longer active");
                // Later deaths, links or signals produce nothing more for these refs.
                Proc.exit(target, ExitReason.of("again"));
                assertEquals(List.of(), drainMailbox());
            });
        }

        /** "monitoring a dead or unknown process gives DOWN with noproc at once." */
        @Test
        void monitoringADeadProcessGivesNoprocAtOnce() {
            Pid dead = Proc.spawn(() -> {});
            join(dead);
            exec(() -> {
                MonitorRef ref = Proc.monitor(dead);
                // Already in the mailbox when monitor returns: a zero timeout finds it.
                assertEquals(Optional.of(new Down(ref, dead, ExitReason.noproc())), Proc.receive(Down.class, Duration.ZERO));
            });
        }

        /** "demonitor(ref, flush) guarantees no DOWN for that ref is delivered afterwards." */
        @Test
        void demonitorFlushRemovesADownAlreadyInTheMailbox() {
            exec(() -> {
                Pid target = idle();
                MonitorRef ref = Proc.monitor(target);
                Proc.exit(target, ExitReason.kill()); // synchronous: the DOWN is queued now
                assertEquals(1, Proc.info(Proc.self()).orElseThrow().messageQueueLength());
                assertFalse(Proc.demonitor(ref, true), "the monitor had already fired");
                assertEquals(List.of(), drainMailbox());
            });
        }

        @Test
        void demonitorFlushRemovesADownASelectiveReceiveSetAside() {
            exec(() -> {
                Pid target = idle();
                MonitorRef r1 = Proc.monitor(target);
                MonitorRef r2 = Proc.monitor(target);
                Proc.exit(target, ExitReason.kill());
                // Taking r2's DOWN passes over r1's (queued first), which is set aside.
                assertTrue(Proc.receive(m -> m instanceof Down d && d.ref() == r2, Probe.WAIT).isPresent());
                assertFalse(Proc.demonitor(r1, true));
                assertEquals(List.of(), drainMailbox());
            });
        }

        @Test
        void demonitorBeforeTheDeathMeansNoDownEver() {
            exec(() -> {
                Pid target = idle();
                MonitorRef flushed = Proc.monitor(target);
                MonitorRef plain = Proc.monitor(target);
                MonitorRef control = Proc.monitor(target);
                assertTrue(Proc.demonitor(flushed, true));
                assertTrue(Proc.demonitor(plain));
                assertEquals(1, Proc.info(target).orElseThrow().monitoredBy());
                Proc.exit(target, ExitReason.kill());
                // Monitors fire in the order they were made: control's DOWN comes after any other.
                assertEquals(List.of(new Down(control, target, ExitReason.killed())), drainMailbox());
            });
        }

        @Test
        void demonitorWithoutFlushLeavesAQueuedDown() {
            exec(() -> {
                Pid target = idle();
                MonitorRef ref = Proc.monitor(target);
                Proc.exit(target, ExitReason.kill());
                assertFalse(Proc.demonitor(ref));
                assertEquals(List.of(new Down(ref, target, ExitReason.killed())), drainMailbox());
            });
        }

        @Test
        void demonitorFlushRacingTheDeath() {
            exec(() -> {
                for (int i = 0; i < 500; i++) {
                    Pid target = idle();
                    MonitorRef ref = Proc.monitor(target);
                    Thread killer = Thread.ofPlatform().start(() -> Proc.exit(target, ExitReason.kill()));
                    Proc.demonitor(ref, true);
                    killer.join();
                    for (Object m : drainMailbox()) {
                        throw new AssertionError("message after demonitor(ref, true): " + m);
                    }
                }
            });
        }

        @Test
        void onlyTheWatcherMayDemonitor() {
            MonitorRef ref = eval(() -> Proc.monitor(idle()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> exec(() -> Proc.demonitor(ref, true)));
            assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- names

    @Nested
    class Names {

        /**
         * "A name is released when its process dies, before links and monitors are told": a
         * DOWN handler can register the same name at once.
         */
        @Test
        void aDownHandlerCanTakeTheDeadProcessesNameAtOnce() {
            String name = "svc-" + System.nanoTime();
            for (int i = 0; i < 200; i++) {
                CountDownLatch registered = new CountDownLatch(1);
                Pid holder = Proc.spawn(() -> {
                    Proc.register(name, Proc.self());
                    registered.countDown();
                    if ("crash".equals(Proc.receive())) {
                        throw BOOM;
                    }
                });
                await(registered);
                boolean viaKill = i % 2 == 0;
                Pid successor = eval(() -> {
                    MonitorRef ref = Proc.monitor(holder);
                    if (viaKill) {
                        Thread.ofPlatform().start(() -> Proc.exit(holder, ExitReason.kill()));
                    } else {
                        Proc.send(holder, "crash");
                    }
                    Proc.receive(m -> m instanceof Down d && d.ref() == ref, Probe.WAIT).orElseThrow();
                    Proc.register(name, Proc.self()); // throws if the name were still held
                    return Proc.self();
                });
                join(successor);
                assertTrue(Proc.whereis(name).isEmpty());
            }
        }

        @Test
        void aTrappingLinkedProcessCanTakeTheNameOnItsExitMessage() {
            String name = "linked-svc-" + System.nanoTime();
            for (int i = 0; i < 200; i++) {
                CountDownLatch registered = new CountDownLatch(1);
                Pid holder = Proc.spawn(() -> {
                    Proc.register(name, Proc.self());
                    registered.countDown();
                    Proc.receive();
                    throw BOOM;
                });
                await(registered);
                Pid successor = eval(() -> {
                    Proc.trapExit(true);
                    Proc.link(holder);
                    Proc.send(holder, "crash");
                    Proc.receive(Exit.class, Probe.WAIT).orElseThrow();
                    Proc.register(name, Proc.self()); // throws if the name were still held
                    return Proc.self();
                });
                join(successor);
            }
        }

        @Test
        void exitHooksRunBeforeMonitorsFire() {
            List<String> order = new CopyOnWriteArrayList<>();
            String name = "hooked-" + System.nanoTime();
            Pid target = idle();
            Proc.register(name, target);
            assertTrue(Proc.onExit(target, () -> order.add("hook name-free=" + Proc.whereis(name).isEmpty())));
            exec(() -> {
                Proc.monitor(target);
                Proc.exit(target, ExitReason.kill());
                Proc.receive(Down.class, Probe.WAIT).orElseThrow();
                order.add("down");
            });
            assertEquals(List.of("hook name-free=true", "down"), order);
            assertFalse(Proc.onExit(target, () -> {}), "no hooks on the dead");
        }

        @Test
        void registerWhereisUnregister() {
            String name = "reg-" + System.nanoTime();
            Pid p = idle();
            Proc.register(name, p);
            assertEquals(Optional.of(p), Proc.whereis(name));
            assertEquals(Optional.of(name), Proc.info(p).orElseThrow().registeredName());
            Proc.send(Name.local(name), "by name");

            Pid other = idle();
            IllegalArgumentException taken = assertThrows(IllegalArgumentException.class, () -> Proc.register(name, other));
            assertTrue(taken.getMessage().contains(p.toString()), "names the holder: " + taken.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Proc.register(name + "-2", p), "one name per process");

            assertTrue(Proc.unregister(name));
            assertFalse(Proc.unregister(name));
            assertTrue(Proc.whereis(name).isEmpty());
            Proc.register(name, other);
            assertEquals(Optional.of(other), Proc.whereis(name));

            Pid dead = Proc.spawn(() -> {});
            join(dead);
            assertThrows(IllegalArgumentException.class, () -> Proc.register("dead-" + name, dead));
            Proc.exit(p, ExitReason.kill());
            Proc.exit(other, ExitReason.kill());
            assertTrue(Proc.whereis(name).isEmpty(), "a killed holder frees the name at once");
        }
    }

    // ---------------------------------------------------------------- kill on the JVM

    /**
     * "Killing a process makes it dead to everyone at once: its name is released, its links and
     * monitors fire, sends to it are dropped. Its virtual thread is interrupted; the next otpj
     * operation it performs unwinds it without running any more of its code."
     */
    @Nested
    class Kill {

        @Test
        void aKilledProcessIsDeadToEveryoneAtOnceAndUnwindsAtItsNextReceive() {
            String name = "doomed-" + System.nanoTime();
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch never = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            CountDownLatch unwound = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            AtomicReference<Object> afterReceive = new AtomicReference<>();
            Pid target = Proc.spawn(() -> {
                try {
                    Proc.register(name, Proc.self());
                    blocked.countDown();
                    try {
                        never.await(); // user code, not otpj
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                    }
                    try {
                        resume.await(); // still running user code after the kill
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    afterReceive.set(Proc.receive()); // must not return
                } finally {
                    unwound.countDown();
                }
            });
            await(blocked);
            Proc.send(target, "queued before the kill");
            CompletableFuture<ExitReason> down = watch(target);

            Proc.exit(target, ExitReason.kill());

            assertFalse(target.isAlive());
            assertTrue(Proc.whereis(name).isEmpty(), "name released at once");
            assertEquals(ExitReason.killed(), get(down), "monitors fire at once");
            Proc.send(target, "after the kill");
            assertEquals(1, target.pcb.queueLength(), "sends after the kill are dropped");
            await(interrupted); // the interrupt reaches the thread blocked in user code
            resume.countDown();
            await(unwound);
            join(target);
            assertEquals(null, afterReceive.get(), "receive unwinds a killed process, even with messages queued");
        }

        /** What a killed process still running user code might try, to reach {@code observer}. */
        enum Attempt {
            SEND, CAST, CALL, SPAWN, EXIT_SIGNAL;

            void run(Pid observer) {
                switch (this) {
                    case SEND -> Proc.send(observer, "from the dead");
                    case CAST -> GenServer.cast(observer, "from the dead");
                    case CALL -> GenServer.call(observer, "from the dead", Duration.ofMillis(1));
                    case SPAWN -> Proc.spawn(() -> Proc.send(observer, "from the dead's child"));
                    case EXIT_SIGNAL -> Proc.exit(observer, ExitReason.of("from the dead"));
                }
            }
        }

        @ParameterizedTest
        @EnumSource(Attempt.class)
        void aKilledProcessCannotReachAnyoneAnyMore(Attempt attempt) {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            CompletableFuture<Object> observed = new CompletableFuture<>();
            CountDownLatch trapping = new CountDownLatch(1);
            Pid observer = Proc.spawn(() -> {
                Proc.trapExit(true);
                trapping.countDown();
                observed.complete(Proc.receive());
            });
            await(trapping);
            AtomicBoolean ranOn = new AtomicBoolean();
            Pid target = Proc.spawn(() -> {
                blocked.countDown();
                while (true) {
                    try {
                        resume.await();
                        break;
                    } catch (InterruptedException e) {
                        // ignores the kill's interrupt, as careless user code might
                    }
                }
                try {
                    attempt.run(observer);
                } catch (CallException e) {
                    // a call that got through would have been seen by the observer anyway
                }
                ranOn.set(true);
            });
            await(blocked);
            Proc.exit(target, ExitReason.kill());
            resume.countDown();
            join(target);
            Proc.send(observer, "from the living");
            assertEquals("from the living", get(observed));
            assertFalse(ranOn.get(), "the killed process was unwound at its " + attempt);
        }

        @Test
        void aKilledProcessBlockedInReceiveUnwindsAtOnce() {
            CountDownLatch receiving = new CountDownLatch(1);
            AtomicBoolean returned = new AtomicBoolean();
            Pid target = Proc.spawn(() -> {
                receiving.countDown();
                Proc.receive();
                returned.set(true);
            });
            await(receiving);
            Proc.exit(target, ExitReason.kill());
            join(target);
            assertFalse(returned.get());
        }
    }

    // ---------------------------------------------------------------- timers

    @Nested
    class Timers {

        @Test
        void sendAfterDelivers() {
            Object got = eval(() -> {
                TimerRef t = Proc.sendAfter(Proc.self(), "tick", Duration.ofMillis(5));
                Object m = Proc.receive(Probe.WAIT).orElseThrow();
                assertTrue(t.remaining().isEmpty(), "a fired timer has nothing left");
                assertTrue(t.cancel().isEmpty(), "a fired timer cannot be cancelled");
                return m;
            });
            assertEquals("tick", got);
        }

        @Test
        void sendAfterToANameResolvesWhenItFires() {
            String name = "late-" + System.nanoTime();
            List<Object> got = eval(() -> {
                Proc.sendAfter(Name.local(name), "nobody there", Duration.ZERO);
                Proc.register(name, Proc.self());
                Proc.sendAfter(Name.local(name), "to the name", Duration.ofMillis(1));
                return List.of(Proc.receive(Probe.WAIT).orElseThrow());
            });
            // The first timer fired either before the name existed (dropped) or after (delivered
            // first); either way the second arrives, and nothing fails.
            assertTrue(got.equals(List.of("to the name")) || got.equals(List.of("nobody there")), got.toString());
        }

        @Test
        void cancelPreventsDeliveryAndReturnsWhatWasLeft() {
            exec(() -> {
                Duration delay = Duration.ofHours(1);
                TimerRef t = Proc.sendAfter(Proc.self(), "cancelled", delay);
                assertTrue(t.remaining().orElseThrow().compareTo(delay) <= 0);
                Optional<Duration> left = t.cancel();
                assertTrue(left.isPresent());
                assertTrue(left.get().compareTo(delay) <= 0 && left.get().compareTo(Duration.ofMinutes(59)) > 0, left.toString());
                assertTrue(t.remaining().isEmpty());
                assertTrue(t.cancel().isEmpty(), "cancelling twice");

                // A timer due soon: the single timer thread fires in due order, so had the first
                // one been sent it would come before the marker.
                TimerRef soon = Proc.sendAfter(Proc.self(), "soon", Duration.ofMillis(100));
                Proc.sendAfter(Proc.self(), "marker", Duration.ofMillis(150));
                boolean cancelled = soon.cancel().isPresent(); // almost always: 100 ms is a long time
                List<Object> got = List.of(Proc.receive(Probe.WAIT).orElseThrow());
                assertEquals(cancelled ? List.of("marker") : List.of("soon"), got);
            });
        }

        /**
         * cancel returns a duration exactly when the message is never sent, even for timers that
         * are firing while they are cancelled.
         */
        @Test
        void cancelAndFiringNeverBothWin() {
            exec(() -> {
                java.util.Random random = new java.util.Random(42);
                int timers = 3_000;
                boolean[] cancelled = new boolean[timers];
                List<TimerRef> refs = new ArrayList<>();
                for (int i = 0; i < timers; i++) {
                    refs.add(Proc.sendAfter(Proc.self(), i, Duration.ofNanos(random.nextInt(300_000))));
                    if (random.nextBoolean()) {
                        int victim = random.nextInt(refs.size());
                        cancelled[victim] |= refs.get(victim).cancel().isPresent();
                    }
                }
                Proc.sendAfter(Proc.self(), "marker", Duration.ofMillis(50));
                boolean[] delivered = new boolean[timers];
                for (;;) {
                    Object m = Proc.receive(Probe.WAIT).orElseThrow();
                    if ("marker".equals(m)) {
                        break;
                    }
                    assertFalse(delivered[(Integer) m], "delivered twice: " + m);
                    delivered[(Integer) m] = true;
                }
                for (int i = 0; i < timers; i++) {
                    assertTrue(cancelled[i] != delivered[i], "timer " + i + ": cancelled=" + cancelled[i] + " delivered=" + delivered[i]);
                }
            });
        }

        @Test
        void badTimers() {
            Pid p = idle();
            assertThrows(IllegalArgumentException.class, () -> Proc.sendAfter(p, "x", Duration.ofMillis(-1)));
            assertThrows(IllegalArgumentException.class, () -> Proc.sendAfter(p, "x", Proc.INFINITY));
            assertThrows(NullPointerException.class, () -> Proc.sendAfter(p, null, Duration.ZERO));
            assertThrows(NullPointerException.class, () -> Proc.sendAfter(null, "x", Duration.ZERO));
            Proc.exit(p, ExitReason.kill());
        }
    }

    // ---------------------------------------------------------------- receive

    @Nested
    class Receive {

        @Test
        void selectiveReceiveKeepsTheOrderOfWhatItPassesOver() {
            List<Object> rest = eval(() -> {
                Pid me = Proc.self();
                for (int i = 1; i <= 5; i++) {
                    Proc.send(me, i);
                }
                Proc.send(me, "wanted");
                for (int i = 6; i <= 10; i++) {
                    Proc.send(me, i);
                }
                assertEquals(Optional.of("wanted"), Proc.receive(String.class, Probe.WAIT));
                assertEquals(Optional.empty(), Proc.receive(m -> m instanceof Double, Duration.ofMillis(10)));
                assertEquals(Optional.of(7), Proc.receive(m -> Integer.valueOf(7).equals(m), Duration.ZERO));
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < 9; i++) {
                    out.add(Proc.receive());
                }
                return out;
            });
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 8, 9, 10), rest);
        }

        @Test
        void aReceiveTimeoutReturnsEmpty() {
            exec(() -> {
                assertEquals(Optional.empty(), Proc.receive(Duration.ZERO));
                assertEquals(Optional.empty(), Proc.receive(Duration.ofMillis(20)));
                assertEquals(Optional.empty(), Proc.receive(String.class, Duration.ofMillis(5)));
                Proc.send(Proc.self(), "x");
                assertEquals(Optional.of("x"), Proc.receive(Duration.ZERO));
            });
        }
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInputIsRejectedWithAClearException() {
        Pid p = idle();
        NullPointerException nullMessage = assertThrows(NullPointerException.class, () -> Proc.send(p, null));
        assertTrue(nullMessage.getMessage().contains("message"), nullMessage.getMessage());
        assertThrows(NullPointerException.class, () -> Proc.send(null, "x"));
        assertThrows(NullPointerException.class, () -> Proc.spawn(null));
        assertThrows(NullPointerException.class, () -> Proc.exit(null, ExitReason.normal()));
        assertThrows(NullPointerException.class, () -> Proc.exit(p, null));
        assertThrows(NullPointerException.class, () -> Proc.register(null, p));
        assertThrows(NullPointerException.class, () -> ExitReason.of(null));
        assertThrows(NullPointerException.class, () -> ExitReason.shutdown(null));
        assertThrows(IllegalStateException.class, Proc::receive, "a plain thread has no mailbox");
        assertThrows(IllegalStateException.class, () -> Proc.monitor(p));
        exec(() -> {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> Proc.receive(Duration.ofMillis(-1)));
            assertTrue(negative.getMessage().contains("must not be negative"), negative.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Proc.receive(String.class, Duration.ofSeconds(-5)));
            assertThrows(NullPointerException.class, () -> Proc.receive((Duration) null));
            assertThrows(NullPointerException.class, () -> Proc.monitor(null));
            assertThrows(NullPointerException.class, () -> Proc.link(null));
            assertThrows(NullPointerException.class, () -> Proc.demonitor(null, true));
            // Nothing was corrupted: the mailbox still works.
            Proc.send(Proc.self(), "fine");
            assertEquals(Optional.of("fine"), Proc.receive(Duration.ZERO));
        });
        assertTrue(p.isAlive());
        Proc.exit(p, ExitReason.kill());
    }
}
