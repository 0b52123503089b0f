package io.otpj.test.model;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.Sys;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;

/**
 * Model-based properties of a server, on jqwik's stateful testing: generated command sequences
 * run against a real server in a fresh {@link Node}, each reply checked against a
 * {@link ServerModel}; a failing sequence is shrunk by jqwik and reported as Java statements that
 * can be pasted into a regression test. PropEr's {@code proper_statem} for otpj.
 * {@snippet :
 * ServerProperties<Integer> counter = ServerProperties.of(new CounterModel(),
 *         node -> GenServer.start(new Counter(), 0).pid());
 *
 * @Property(tries = 100)
 * void behavesLikeItsModel(@ForAll("sequences") ActionChain<ServerProperties.Run<Integer>> chain) {
 *     counter.check(chain);
 * }
 *
 * @Provide
 * Arbitrary<ActionChain<ServerProperties.Run<Integer>>> sequences() {
 *     return counter.sequential();
 * }
 * }
 *
 * <h2>What a sequence is</h2>
 * Each sequence starts a node (no shutdown hook) and the server in it ({@code start}, given the
 * node, returns the ref to call: a pid, or a name when the server runs under a supervisor),
 * then runs up to {@link #withMaxCommands} commands: a request drawn from
 * {@link ServerModel#requests} for the current model state, made through the client (by default
 * {@code GenServer.call(server, request)}) and compared with {@link ServerModel#expect}; with
 * {@link #withCrashes}, also kills of the server (as {@code kill} or with an abnormal reason) at
 * generated points, after which the kit waits for the supervisor to put a new process under the
 * name, waits for that process to finish its {@code init} (it answers a {@link Sys} request), and
 * continues from {@link ServerModel#afterRestart}. {@link #check} always stops the node.
 *
 * <h2>Parallel mode</h2>
 * {@link #parallel} draws a few short command lists, runs each from its own client process at
 * once against one server, and checks that the replies are <em>linearizable</em>: that some
 * order of the calls, consistent with the order in which they were made and answered, gives
 * exactly the observed replies in the model. Requests of parallel lists are drawn from the
 * initial state's generator. Bounded (at most 4 clients of 6 commands) so a property runs in
 * seconds on two cores.
 *
 * <p>Instances are immutable and thread-safe; each {@code with...} returns a new one.
 *
 * @param <M> the model state
 */
public final class ServerProperties<M> {

    /** How a request is made: the client API under test. */
    @FunctionalInterface
    public interface Client {
        /**
         * Makes {@code request} to {@code server} and returns the reply.
         *
         * @param server the server
         * @param request the request
         * @return the reply
         * @throws Exception what the client throws, compared with an expected exception class
         */
        Object call(ServerRef server, Object request) throws Exception;
    }

    private static final AtomicInteger SEQ = new AtomicInteger();

    private final ServerModel<M> model;
    private final Function<Node, ServerRef> start;
    private final Client client;
    private final Function<Object, String> java;
    private final int maxCommands;
    private final int crashWeight;
    private final Duration timeout;

    private ServerProperties(ServerModel<M> model, Function<Node, ServerRef> start, Client client,
            Function<Object, String> java, int maxCommands, int crashWeight, Duration timeout) {
        this.model = model;
        this.start = start;
        this.client = client;
        this.java = java;
        this.maxCommands = maxCommands;
        this.crashWeight = crashWeight;
        this.timeout = timeout;
    }

    /**
     * Properties of the server that {@code start} starts, against {@code model}.
     *
     * @param <M> the model state
     * @param model the specification
     * @param start starts the server in the given node and returns the ref to call it by;
     *     runs on a thread bound to that node
     * @return the properties: 20 commands at most, no crashes, {@code GenServer.call}
     */
    public static <M> ServerProperties<M> of(ServerModel<M> model, Function<Node, ServerRef> start) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(start, "start");
        return new ServerProperties<>(model, start, GenServer::call,
                r -> "GenServer.call(server, " + JavaCode.of(r) + ")", 20, 0, Duration.ofSeconds(10));
    }

    /**
     * Makes requests through {@code client} instead of {@code GenServer.call}, rendered in the
     * printed sequence by {@code java} (given the request, it returns a Java expression that uses
     * a variable {@code server}).
     *
     * @param client the client API
     * @param java how a call appears in the printed sequence
     * @return the new properties
     */
    public ServerProperties<M> withClient(Client client, Function<Object, String> java) {
        return new ServerProperties<>(model, start, Objects.requireNonNull(client, "client"),
                Objects.requireNonNull(java, "java"), maxCommands, crashWeight, timeout);
    }

    /**
     * At most {@code n} commands per sequence.
     *
     * @param n from 1 to 1000
     * @return the new properties
     */
    public ServerProperties<M> withMaxCommands(int n) {
        if (n < 1 || n > 1000) {
            throw new IllegalArgumentException("maxCommands must be 1 to 1000, got " + n);
        }
        return new ServerProperties<>(model, start, client, java, n, crashWeight, timeout);
    }

    /**
     * Adds server crashes to the sequences: one command in {@code 1 + 10 / weight} on average
     * kills the server's current process. The ref {@code start} returns must be a name that its
     * supervisor registers again on restart.
     *
     * @param weight 0 (no crashes) to 10
     * @return the new properties
     */
    public ServerProperties<M> withCrashes(int weight) {
        if (weight < 0 || weight > 10) {
            throw new IllegalArgumentException("crash weight must be 0 to 10, got " + weight);
        }
        return new ServerProperties<>(model, start, client, java, maxCommands, weight, timeout);
    }

    // ------------------------------------------------------------------ sequential

    /**
     * One run of a sequence: its node, the server's ref, the model state, and the Java statements
     * of the commands run so far. Not thread-safe; used by the kit on jqwik's thread.
     *
     * @param <M> the model state
     */
    public static final class Run<M> {
        private final Node node;
        private final ServerRef server;
        private M model;
        private final List<String> code = new ArrayList<>();
        /** The commands run so far, the failing one included: what the kit minimizes. */
        private final List<Object> steps = new ArrayList<>();

        Run(Node node, ServerRef server, M model) {
            this.node = node;
            this.server = server;
            this.model = model;
        }

        /**
         * The model state now.
         *
         * @return it
         */
        public M model() {
            return model;
        }

        /**
         * The statements run so far, as Java.
         *
         * @return them, in order
         */
        public List<String> code() {
            return List.copyOf(code);
        }

        @Override
        public String toString() {
            return "Run[" + node.name() + ", model " + model + "]";
        }
    }

    /** The run of the current sequence on this thread, so that {@link #check} can stop its node. */
    private final ThreadLocal<Run<M>> current = new ThreadLocal<>();

    /**
     * The sequences, for a {@code @Provide} method.
     *
     * @return an arbitrary of command sequences starting from a fresh node and server
     */
    public ActionChainArbitrary<Run<M>> sequential() {
        ActionChainArbitrary<Run<M>> chains = ActionChain.<Run<M>>startWith(this::startRun)
                .withAction(10, new Action.Dependent<Run<M>>() {
                    @Override
                    public Arbitrary<Transformer<Run<M>>> transformer(Run<M> run) {
                        return requestsOf(run.model).map(r -> Transformer.mutate(java.apply(r), x -> request(x, r)));
                    }
                });
        if (crashWeight > 0) {
            chains = chains.withAction(crashWeight, new Action.Independent<Run<M>>() {
                @Override
                public Arbitrary<Transformer<Run<M>>> transformer() {
                    return Arbitraries.of(true, false).map(kill -> Transformer.mutate(
                            kill ? "Proc.exit(GenServer.whereis(server).orElseThrow(), ExitReason.kill())"
                                    : "Proc.exit(GenServer.whereis(server).orElseThrow(), ExitReason.of(\"injected\"))",
                            x -> crash(x, kill)));
                }
            });
        }
        return chains.withMaxTransformations(maxCommands);
    }

    /** The model's requests for a state, refusing a model that has none. */
    private Arbitrary<?> requestsOf(M state) {
        Arbitrary<?> a = model.requests(state);
        if (a == null) {
            throw new IllegalStateException("the model " + model.getClass().getName() + " has no requests for state "
                    + state + ": requests must return a generator");
        }
        return a;
    }

    private Run<M> startRun() {
        Run<M> old = current.get();
        if (old != null) {
            old.node.stop(Duration.ZERO);
        }
        Node node = Node.start(NodeOptions.named("model-" + SEQ.incrementAndGet()).withShutdownHook(false));
        ServerRef ref;
        try {
            ref = Objects.requireNonNull(node.call(() -> start.apply(node)), "start returned null");
        } catch (RuntimeException e) {
            node.stop(Duration.ZERO);
            throw new AssertionError("the server under test did not start: " + e, e);
        }
        Run<M> run = new Run<>(node, ref, model.initial());
        current.set(run);
        return run;
    }

    /**
     * Runs one generated sequence and stops its node, whatever the outcome: call it from the
     * {@code @Property} method.
     *
     * @param chain the sequence jqwik generated
     * @throws AssertionError at the first reply that differs from the model, with the sequence
     *     so far as Java statements
     */
    public void check(ActionChain<Run<M>> chain) {
        try {
            chain.run();
        } catch (Mismatch first) {
            Run<M> run = current.get();
            throw minimized(run == null ? List.of() : List.copyOf(run.steps), first);
        } catch (AssertionError wrapped) {
            // jqwik wraps what a transformer throws; the kit's own disagreement is inside.
            if (wrapped.getCause() instanceof Mismatch first) {
                Run<M> run = current.get();
                throw minimized(run == null ? List.of() : List.copyOf(run.steps), first);
            }
            throw wrapped;
        } finally {
            Run<M> run = current.get();
            current.remove();
            if (run != null) {
                run.node.stop(Duration.ZERO);
            }
        }
    }

    /** The kit's own failure: the server and the model disagree. */
    private static final class Mismatch extends AssertionError {
        private static final long serialVersionUID = 1L;

        Mismatch(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A crash command in a recorded sequence. */
    private record Crash(boolean kill) {}

    private static final int MAX_REPLAYS = 300;

    /**
     * Shrinks a failing sequence by replaying parts of it against fresh servers (delta
     * debugging: drop chunks, halving their size, while the rest still fails), within
     * {@link #MAX_REPLAYS} replays; jqwik's own shrinking of dependent actions stops early.
     */
    private AssertionError minimized(List<Object> failing, Mismatch original) {
        if (failing.isEmpty()) {
            return original;
        }
        List<Object> best = failing;
        Mismatch bestError = original;
        int replays = 0;
        int chunk = Math.max(1, best.size() / 2);
        while (chunk >= 1 && replays < MAX_REPLAYS) {
            boolean shrunk = false;
            for (int from = 0; from + chunk <= best.size() && replays < MAX_REPLAYS; ) {
                List<Object> candidate = new ArrayList<>(best.subList(0, from));
                candidate.addAll(best.subList(from + chunk, best.size()));
                replays++;
                Mismatch m = candidate.isEmpty() ? null : replay(candidate);
                if (m != null) {
                    best = candidate;
                    bestError = m;
                    shrunk = true;
                } else {
                    from += chunk;
                }
            }
            if (!shrunk) {
                chunk /= 2;
            } else {
                chunk = Math.min(chunk, Math.max(1, best.size() / 2));
            }
        }
        Mismatch out = new Mismatch(bestError.getMessage() + "\n(shrunk from " + failing.size() + " to " + best.size()
                + " commands in " + replays + " replays)", bestError.getCause());
        out.addSuppressed(original);
        return out;
    }

    /** Replays concrete commands on a fresh server: the mismatch they cause, or null (also when a command is invalid there). */
    private Mismatch replay(List<Object> steps) {
        Node node = Node.start(NodeOptions.named("model-" + SEQ.incrementAndGet()).withShutdownHook(false));
        try {
            ServerRef ref = node.call(() -> start.apply(node));
            Run<M> run = new Run<>(node, ref, model.initial());
            for (Object step : steps) {
                if (step instanceof Crash(boolean kill)) {
                    crash(run, kill);
                } else {
                    try {
                        model.expect(run.model, step);
                    } catch (RuntimeException invalidHere) {
                        return null;
                    }
                    request(run, step);
                }
            }
            return null;
        } catch (Mismatch m) {
            return m;
        } catch (RuntimeException | AssertionError other) {
            return null;
        } finally {
            node.stop(Duration.ZERO);
        }
    }

    private void request(Run<M> run, Object request) {
        run.steps.add(request);
        ServerModel.Expected<M> expected = model.expect(run.model, request);
        String call = java.apply(request);
        Object reply;
        Throwable thrown = null;
        try {
            reply = run.node.call(() -> client.call(run.server, request));
        } catch (Exception e) {
            reply = null;
            thrown = e;
        }
        Object want = expected.reply();
        boolean ok = want instanceof Class<?> c && Throwable.class.isAssignableFrom(c)
                ? thrown != null && c.isInstance(thrown)
                : thrown == null && Objects.equals(want, reply);
        if (want instanceof Class<?> c && Throwable.class.isAssignableFrom(c)) {
            run.code.add("assertThrows(" + JavaCode.typeName(c) + ".class, () -> " + call + ");");
        } else {
            run.code.add("assertEquals(" + JavaCode.of(want) + ", " + call + ");");
        }
        if (!ok) {
            throw new Mismatch("the server and its model disagree at command " + run.code.size() + ": expected "
                    + describe(want, null) + ", got " + describe(reply, thrown) + "; model state before: " + run.model
                    + "\nThe sequence, as Java (server = the ref the start returned):\n  "
                    + String.join("\n  ", run.code), thrown);
        }
        run.model = expected.next();
    }

    private void crash(Run<M> run, boolean kill) {
        run.steps.add(new Crash(kill));
        String line = kill ? "Proc.exit(GenServer.whereis(server).orElseThrow(), ExitReason.kill());"
                : "Proc.exit(GenServer.whereis(server).orElseThrow(), ExitReason.of(\"injected\"));";
        run.code.add(line + " // then wait for the supervisor to restart it");
        Optional<Pid> before = run.node.call(() -> GenServer.whereis(run.server));
        if (before.isEmpty()) {
            throw new AssertionError("no process under " + run.server + " to crash: crashes need a name that a supervisor"
                    + " registers again\n  " + String.join("\n  ", run.code));
        }
        Proc.exit(before.get(), kill ? ExitReason.kill() : ExitReason.of("injected"));
        // Restarted means a new process is registered under the name *and* has finished its
        // init: a sys request is handled only after init returns, so an answer proves it. A
        // process merely registered may still be in init, and a crash injected then is a failed
        // start, not a crash of a running server (the supervisor's retry rules, not the model's
        // restart rule, would apply).
        long end = System.nanoTime() + timeout.toNanos();
        TestKit.eventually(() -> run.node.call(() -> GenServer.whereis(run.server))
                        .filter(p -> !p.equals(before.get()) && p.isAlive() && answers(p, end)).isPresent(), timeout,
                () -> "the server under " + run.server + " was not restarted (running its callbacks) after the crash");
        run.model = model.afterRestart(run.model);
    }

    /** Whether {@code pid} answers a sys request before {@code end} (so its init has returned). */
    private static boolean answers(Pid pid, long end) {
        long left = Math.max(end - System.nanoTime(), 1_000_000L);
        try {
            Sys.getState(pid, Duration.ofNanos(Math.min(left, 1_000_000_000L)));
            return true;
        } catch (RuntimeException e) { // exited, or not answering yet: look again
            return false;
        }
    }

    private static String describe(Object value, Throwable thrown) {
        if (thrown != null) {
            return "an exception " + thrown;
        }
        return value instanceof Class<?> c && Throwable.class.isAssignableFrom(c) ? "an exception " + c.getName()
                : JavaCode.of(value);
    }

    // ------------------------------------------------------------------ parallel

    /**
     * A parallel case: one list of requests per client.
     *
     * @param branches the requests of each client, in the order that client makes them
     */
    public record Parallel(List<List<Object>> branches) {
        @Override
        public String toString() {
            return branches.stream().map(b -> b.stream().map(JavaCode::of).collect(Collectors.joining(", ", "[", "]")))
                    .collect(Collectors.joining(" | "));
        }
    }

    /**
     * Parallel cases: {@code clients} lists of up to {@code commands} requests each.
     *
     * @param clients 2 to 4
     * @param commands 1 to 6 per client
     * @return the arbitrary, for a {@code @Provide} method; run each case with {@link #checkParallel}
     */
    public Arbitrary<Parallel> parallel(int clients, int commands) {
        if (clients < 2 || clients > 4) {
            throw new IllegalArgumentException("clients must be 2 to 4, got " + clients);
        }
        if (commands < 1 || commands > 6) {
            throw new IllegalArgumentException("commands must be 1 to 6, got " + commands);
        }
        @SuppressWarnings("unchecked")
        Arbitrary<Object> requests = (Arbitrary<Object>) requestsOf(model.initial());
        return requests.list().ofMinSize(1).ofMaxSize(commands).list().ofSize(clients).map(Parallel::new);
    }

    private record Op(int client, Object request, Object reply, Throwable thrown, long invoked, long answered) {}

    /**
     * Runs a parallel case: a fresh node and server, one client process per branch started
     * together, then the linearizability check.
     *
     * @param p the case
     * @throws AssertionError if no order of the calls explains the replies, with the branches
     *     and what each call got, or if a client is stuck past the timeout (with a thread dump)
     */
    public void checkParallel(Parallel p) {
        Node node = Node.start(NodeOptions.named("model-" + SEQ.incrementAndGet()).withShutdownHook(false));
        try {
            ServerRef server = node.call(() -> start.apply(node));
            int n = p.branches().size();
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<List<Op>>> results = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                int clientNo = c;
                List<Object> branch = p.branches().get(c);
                CompletableFuture<List<Op>> done = new CompletableFuture<>();
                results.add(done);
                node.spawn(() -> {
                    List<Op> ops = new ArrayList<>();
                    try {
                        go.await();
                        for (Object r : branch) {
                            long t0 = System.nanoTime();
                            Object reply = null;
                            Throwable thrown = null;
                            try {
                                reply = client.call(server, r);
                            } catch (Exception e) {
                                thrown = e;
                            }
                            ops.add(new Op(clientNo, r, reply, thrown, t0, System.nanoTime()));
                        }
                        done.complete(ops);
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    }
                });
            }
            go.countDown();
            List<Op> all = new ArrayList<>();
            for (CompletableFuture<List<Op>> f : results) {
                try {
                    all.addAll(f.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("a client was stuck for " + timeout + " in " + p + "\n" + dump());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new AssertionError("a client failed in " + p, e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (!linearizable(all, (1L << all.size()) - 1, model.initial(), new HashSet<>())) {
                throw new AssertionError("no order of these calls explains their replies (not linearizable): " + p
                        + "\n  " + all.stream().map(o -> "client " + o.client() + ": " + java.apply(o.request()) + " -> "
                                + describe(o.reply(), o.thrown())).collect(Collectors.joining("\n  ")));
            }
        } finally {
            node.stop(Duration.ZERO);
        }
    }

    private record Visit(long remaining, Object model) {}

    /** Wing and Gong's search: some minimal remaining call whose model reply matches, recursively. */
    private boolean linearizable(List<Op> ops, long remaining, M m, Set<Visit> failed) {
        if (remaining == 0) {
            return true;
        }
        if (failed.contains(new Visit(remaining, m))) {
            return false;
        }
        for (int i = 0; i < ops.size(); i++) {
            if ((remaining & (1L << i)) == 0) {
                continue;
            }
            Op op = ops.get(i);
            boolean minimal = true;
            for (int j = 0; j < ops.size() && minimal; j++) {
                if (j != i && (remaining & (1L << j)) != 0 && ops.get(j).answered() < op.invoked()) {
                    minimal = false; // j was answered before i was made: j comes first
                }
            }
            if (!minimal) {
                continue;
            }
            ServerModel.Expected<M> e = model.expect(m, op.request());
            Object want = e.reply();
            boolean ok = want instanceof Class<?> c && Throwable.class.isAssignableFrom(c)
                    ? op.thrown() != null && c.isInstance(op.thrown())
                    : op.thrown() == null && Objects.equals(want, op.reply());
            if (ok && linearizable(ops, remaining & ~(1L << i), e.next(), failed)) {
                return true;
            }
        }
        failed.add(new Visit(remaining, m));
        return false;
    }

    private static String dump() {
        StringBuilder b = new StringBuilder("threads:\n");
        Thread.getAllStackTraces().forEach((t, st) -> {
            b.append(t).append('\n');
            for (StackTraceElement e : st) {
                b.append("    at ").append(e).append('\n');
            }
        });
        return b.toString();
    }
}
