package io.otpj.supervisor;

import io.otpj.test.TestKit;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.ExitReason;
import io.otpj.core.MonitorRef;
import io.otpj.core.NoProcException;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerExitedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of a static supervisor against {@link SupervisorModel}.
 *
 * <p>Determinism: a crash is an exit signal sent with {@link Proc#exit} to a child that does not
 * trap exits. Core delivers it, and the child's EXIT to the supervisor, before {@code Proc.exit}
 * returns, so a {@code whichChildren} call made afterwards is handled after the supervisor has
 * reacted to the crash. No step waits on time.
 */
class SupervisorPropertiesTest {

    static final Duration HOUR = Duration.ofHours(1);

    // ---------------------------------------------------------------- steps

    /** The reasons a crash uses: abnormal, clean, clean with a term, and the untrappable kill. */
    static final List<ExitReason> REASONS = List.of(ExitReason.of("boom"), ExitReason.shutdown(),
            ExitReason.shutdown("done"), ExitReason.kill());

    sealed interface Step {}
    /** Crash the {@code k}-th running child (mod their number); its restart fails {@code failures} times. */
    record Crash(int k, int reason, int failures) implements Step {}
    /** An operation on the {@code k}-th child (mod their number). */
    record Terminate(int k) implements Step {}
    record RestartOp(int k) implements Step {}
    record Delete(int k) implements Step {}

    @Provide
    Arbitrary<List<Restart>> restartTypes() {
        return Arbitraries.of(Restart.class).list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> k = Arbitraries.integers().between(0, 9);
        Arbitrary<Step> crash = Combinators.combine(k, Arbitraries.integers().between(0, REASONS.size() - 1))
                .as((i, r) -> new Crash(i, r, 0));
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, crash),
                net.jqwik.api.Tuple.of(1, k.map(Terminate::new)),
                net.jqwik.api.Tuple.of(1, k.map(RestartOp::new)),
                net.jqwik.api.Tuple.of(1, k.map(Delete::new)));
        return step.list().ofMinSize(1).ofMaxSize(15);
    }

    @Provide
    Arbitrary<List<Step>> crashes() {
        return Combinators.combine(Arbitraries.integers().between(0, 9),
                        Arbitraries.integers().between(0, REASONS.size() - 1),
                        Arbitraries.frequency(net.jqwik.api.Tuple.of(4, 0), net.jqwik.api.Tuple.of(1, 1),
                                net.jqwik.api.Tuple.of(1, 2)))
                .as((i, r, f) -> (Step) new Crash(i, r, f))
                .list().ofMinSize(1).ofMaxSize(12);
    }

    // ---------------------------------------------------------------- the harness

    /** The real supervisor and the bookkeeping to compare it with the model. */
    static final class Harness {
        final Events events = new Events();
        final SupervisorModel model;
        final Pid sup;
        final Map<Integer, Worker.Config> configs = new HashMap<>();
        final Map<Integer, Pid> lastPid = new HashMap<>();
        final Map<Integer, Integer> lastGeneration = new HashMap<>();

        Harness(Strategy strategy, int maxRestarts, List<Restart> types) {
            model = new SupervisorModel(strategy, maxRestarts, types);
            List<ChildSpec> specs = new ArrayList<>();
            for (int i = 0; i < types.size(); i++) {
                Worker.Config c = Worker.config(i, events);
                configs.put(i, c);
                specs.add(Worker.spec(c).withRestart(types.get(i)));
            }
            sup = Supervisor.start(new SupervisorFlags(strategy, maxRestarts, HOUR), specs).pid();
            for (ChildInfo c : Supervisor.whichChildren(sup)) {
                lastPid.put((Integer) c.id(), c.pid().orElseThrow());
                lastGeneration.put((Integer) c.id(), 0);
            }
        }

        /** Applies one step to both. @return false when the step did not apply (nothing to act on) */
        boolean apply(Step step) {
            switch (step) {
                case Crash(int k, int r, int failures) -> {
                    List<SupervisorModel.Kid> running = model.running();
                    if (running.isEmpty()) {
                        return false;
                    }
                    SupervisorModel.Kid kid = running.get(k % running.size());
                    ExitReason reason = REASONS.get(r);
                    // Inject failures only into a restart that will happen, so none is left over.
                    configs.get(kid.id).failStarts().set(SupervisorModel.restarts(kid.restart, reason) ? failures : 0);
                    Pid victim = lastPid.get(kid.id);
                    model.exit(kid, reason, failures);
                    Proc.exit(victim, reason);
                }
                case Terminate(int k) -> {
                    if (model.kids.isEmpty()) {
                        return false;
                    }
                    SupervisorModel.Kid kid = model.kids.get(k % model.kids.size());
                    model.terminate(kid);
                    Supervisor.terminateChild(sup, kid.id);
                }
                case RestartOp(int k) -> {
                    if (model.kids.isEmpty()) {
                        return false;
                    }
                    SupervisorModel.Kid kid = model.kids.get(k % model.kids.size());
                    if (model.restartChild(kid) == SupervisorModel.Outcome.OK) {
                        assertTrue(Supervisor.restartChild(sup, kid.id) instanceof io.otpj.core.StartResult.Ok);
                    } else {
                        assertThrows(IllegalStateException.class, () -> Supervisor.restartChild(sup, kid.id));
                    }
                }
                case Delete(int k) -> {
                    if (model.kids.isEmpty()) {
                        return false;
                    }
                    SupervisorModel.Kid kid = model.kids.get(k % model.kids.size());
                    if (model.delete(kid) == SupervisorModel.Outcome.OK) {
                        Supervisor.deleteChild(sup, kid.id);
                    } else {
                        assertThrows(IllegalStateException.class, () -> Supervisor.deleteChild(sup, kid.id));
                    }
                }
            }
            return true;
        }

        /**
         * Asks for the children until none is restarting (each call is queued behind at most one
         * pending retry, so this ends after as many calls as there were failures).
         *
         * @return the children, or empty if the supervisor is dead
         */
        Optional<List<ChildInfo>> settle() {
            for (int polls = 0; polls < 100; polls++) {
                List<ChildInfo> kids;
                try {
                    kids = Supervisor.whichChildren(sup);
                } catch (NoProcException | ServerExitedException dead) {
                    return Optional.empty();
                }
                if (kids.stream().noneMatch(c -> c.status() == ChildStatus.RESTARTING)) {
                    return Optional.of(kids);
                }
            }
            throw new AssertionError("still restarting after 100 calls: " + model);
        }

        /** Checks the real children against the model: ids in order, status, and who got a new pid. */
        void check(List<ChildInfo> real, Object context) {
            assertEquals(model.kids.stream().map(k -> k.id).toList(), real.stream().map(ChildInfo::id).toList(),
                    () -> "ids after " + context + ", model " + model + ", real " + real);
            for (int i = 0; i < real.size(); i++) {
                ChildInfo c = real.get(i);
                SupervisorModel.Kid kid = model.kids.get(i);
                String where = "child " + kid.id + " after " + context + ", model " + model + ", real " + real;
                assertEquals(kid.running ? ChildStatus.RUNNING : ChildStatus.NOT_RUNNING, c.status(), where);
                if (kid.running) {
                    Pid pid = c.pid().orElseThrow();
                    assertTrue(pid.isAlive(), where);
                    boolean renewed = kid.generation != lastGeneration.get(kid.id);
                    assertEquals(renewed, !pid.equals(lastPid.get(kid.id)), "new pid? " + where);
                    lastPid.put(kid.id, pid);
                    lastGeneration.put(kid.id, kid.generation);
                } else {
                    assertTrue(c.pid().isEmpty(), where);
                }
            }
        }
    }

    // ---------------------------------------------------------------- property 1

    /**
     * After each step of a random schedule of crashes (and terminate / restart / delete calls),
     * the running children, and which of them got a new process, are those the model of the
     * strategy predicts.
     */
    @Property(tries = 200)
    void runningChildrenFollowTheStrategy(@ForAll Strategy strategy, @ForAll("restartTypes") List<Restart> types,
            @ForAll("steps") List<Step> steps) {
        Harness h = new Harness(strategy, 1_000, types);
        try {
            h.check(Supervisor.whichChildren(h.sup), "start");
            for (Step step : steps) {
                if (h.apply(step)) {
                    h.check(Supervisor.whichChildren(h.sup), step);
                }
            }
        } finally {
            Supervisor.stop(h.sup);
        }
        h.events.startedPids().forEach(p -> assertFalse(p.isAlive(), p + " outlived the supervisor"));
    }

    // ---------------------------------------------------------------- property 2

    /**
     * With a window of an hour (so time plays no part), the supervisor gives up exactly at the
     * restart attempt the model counts as the one past {@code maxRestarts}, failed restart
     * attempts included; it then exits with {@code shutdown} and leaves no child alive.
     */
    @Property(tries = 200)
    void givesUpExactlyWhenTheIntensityIsExceeded(@ForAll Strategy strategy, @ForAll @IntRange(max = 5) int maxRestarts,
            @ForAll("restartTypes") List<Restart> types, @ForAll("crashes") List<Step> steps) {
        Procs.inProcess(() -> {
            Harness h = new Harness(strategy, maxRestarts, types);
            MonitorRef ref = Proc.monitor(h.sup);
            for (Step step : steps) {
                if (!h.apply(step)) {
                    continue;
                }
                Optional<List<ChildInfo>> real = h.settle();
                assertEquals(h.model.alive, real.isPresent(), () -> "alive after " + step + ": model " + h.model);
                if (!h.model.alive) {
                    assertEquals(ExitReason.shutdown(), Procs.awaitDown(ref));
                    h.events.startedPids().forEach(p -> assertFalse(p.isAlive(), p + " outlived its supervisor"));
                    return;
                }
                h.check(real.get(), step);
            }
            Supervisor.stop(h.sup);
        });
    }

    // ---------------------------------------------------------------- property 3

    /** A random supervision tree. */
    sealed interface Node {}
    /** A worker: whether it traps exits, how it is shut down, whether it unlinks itself. */
    record Leaf(boolean trap, Kind kind, boolean unlink) implements Node {}
    record Sup(Strategy strategy, List<Node> children) implements Node {}

    enum Kind { DEFAULT, BRUTAL, INFINITY, HANG }

    @Provide
    Arbitrary<Sup> trees() {
        return tree(3);
    }

    private Arbitrary<Sup> tree(int depth) {
        Arbitrary<Node> leaf = Combinators.combine(Arbitraries.of(true, false),
                        Arbitraries.frequency(net.jqwik.api.Tuple.of(3, Kind.DEFAULT), net.jqwik.api.Tuple.of(2, Kind.BRUTAL),
                                net.jqwik.api.Tuple.of(2, Kind.INFINITY), net.jqwik.api.Tuple.of(1, Kind.HANG)),
                        Arbitraries.frequency(net.jqwik.api.Tuple.of(4, false), net.jqwik.api.Tuple.of(1, true)))
                .as((trap, kind, unlink) -> (Node) new Leaf(trap || kind == Kind.HANG, kind, unlink));
        Arbitrary<Node> child = depth <= 1 ? leaf
                : Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, leaf),
                        net.jqwik.api.Tuple.of(1, Arbitraries.lazy(() -> tree(depth - 1)).map(s -> (Node) s)));
        return Combinators.combine(Arbitraries.of(Strategy.class), child.list().ofMaxSize(4)).as(Sup::new);
    }

    /** Builds the specs of a tree; ids are the paths ("0", "0.1", ...). */
    private static List<ChildSpec> specs(Sup sup, String path, Events ev, List<Pid> unlinkers) {
        List<ChildSpec> out = new ArrayList<>();
        for (int i = 0; i < sup.children().size(); i++) {
            String id = path.isEmpty() ? "" + i : path + "." + i;
            switch (sup.children().get(i)) {
                case Leaf(boolean trap, Kind kind, boolean unlink) -> {
                    Worker.Config c = Worker.config(id, ev);
                    if (trap) {
                        c = c.trapping();
                    }
                    if (kind == Kind.HANG) {
                        c = c.hanging();
                    }
                    Worker.Config cfg = c;
                    ChildSpec spec = ChildSpec.worker(id, () -> {
                        var r = Worker.start(cfg);
                        if (unlink) {
                            synchronized (unlinkers) {
                                unlinkers.add(r.pid());
                            }
                        }
                        return r;
                    });
                    out.add(switch (kind) {
                        case DEFAULT -> spec;
                        case BRUTAL -> spec.withShutdown(Shutdown.brutalKill());
                        case INFINITY -> spec.withShutdown(Shutdown.infinity());
                        case HANG -> spec.withShutdown(Shutdown.timeout(Duration.ofMillis(20)));
                    });
                }
                case Sup s -> {
                    SupervisorFlags flags = new SupervisorFlags(s.strategy(), 10, HOUR);
                    List<ChildSpec> kids = specs(s, id, ev, unlinkers);
                    out.add(ChildSpec.supervisor(id, () -> {
                        var r = Supervisor.startLink(flags, kids);
                        ev.started(id, r.pid());
                        return r;
                    }));
                }
            }
        }
        return out;
    }

    /** The order in which a tree's processes must die: children in reverse, each subtree before its root. */
    private static void expectedDeaths(Sup sup, String path, List<Object> out) {
        for (int i = sup.children().size() - 1; i >= 0; i--) {
            String id = path.isEmpty() ? "" + i : path + "." + i;
            if (sup.children().get(i) instanceof Sup s) {
                expectedDeaths(s, id, out);
            }
            out.add(id);
        }
    }

    private static void expectedTerminates(Sup sup, String path, Map<Object, Kind> out) {
        for (int i = 0; i < sup.children().size(); i++) {
            String id = path.isEmpty() ? "" + i : path + "." + i;
            switch (sup.children().get(i)) {
                case Leaf l when l.trap() && l.kind() != Kind.BRUTAL -> out.put(id, l.kind());
                case Leaf l -> {}
                case Sup s -> expectedTerminates(s, id, out);
            }
        }
    }

    /**
     * However a tree is stopped (the root stopped, or the root's parent exiting), afterwards no
     * process of it is alive, they died in reverse start order subtree by subtree, and every
     * child that traps exits and is not brutally killed had {@code terminate(shutdown)} called
     * (and finished, unless it hung and was killed after its shutdown time).
     */
    @Property(tries = 100)
    void afterShutdownNothingIsLeftAndEveryTerminateRan(@ForAll("trees") Sup tree, @ForAll boolean byParentExit) {
        Events ev = new Events();
        List<Pid> unlinkers = new ArrayList<>();
        List<ChildSpec> specs = specs(tree, "", ev, unlinkers);
        SupervisorFlags flags = new SupervisorFlags(tree.strategy(), 10, HOUR);
        Pid root;
        if (byParentExit) {
            var started = new java.util.concurrent.CompletableFuture<Pid>();
            Pid parent = Proc.spawn(() -> {
                started.complete(Supervisor.startLink(flags, specs).pid());
                Proc.receive();
                throw Proc.exit(ExitReason.shutdown());
            });
            root = started.join();
            unlinkAll(unlinkers);
            Proc.send(parent, "exit");
            TestKit.awaitDown(root, Procs.WAIT);
        } else {
            root = Supervisor.start(flags, specs).pid();
            unlinkAll(unlinkers);
            Supervisor.stop(root);
        }
        assertFalse(root.isAlive());
        ev.startedPids().forEach(p -> assertFalse(p.isAlive(), p + " outlived the tree"));

        List<Object> deaths = new ArrayList<>();
        expectedDeaths(tree, "", deaths);
        assertEquals(deaths, ev.deathOrder());

        Map<Object, Kind> terminating = new HashMap<>();
        expectedTerminates(tree, "", terminating);
        Map<Object, ExitReason> begun = new HashMap<>();
        ev.of(Events.TerminateBegun.class).forEach(t -> begun.put(t.id(), t.reason()));
        Map<Object, ExitReason> done = new HashMap<>();
        ev.of(Events.TerminateDone.class).forEach(t -> done.put(t.id(), t.reason()));
        assertEquals(terminating.keySet(), begun.keySet(), "terminate called");
        begun.values().forEach(r -> assertEquals(ExitReason.shutdown(), r));
        terminating.forEach((id, kind) -> assertEquals(kind != Kind.HANG, done.containsKey(id), "terminate of " + id));
    }

    private static void unlinkAll(List<Pid> unlinkers) {
        List<Pid> copy;
        synchronized (unlinkers) {
            copy = List.copyOf(unlinkers);
        }
        for (Pid p : copy) {
            io.otpj.core.GenServer.call(p, new Worker.UnlinkAll());
        }
    }
}
