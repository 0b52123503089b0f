package io.otpj.core;

import static io.otpj.core.Probe.drainMailbox;
import static io.otpj.core.Probe.eval;
import static io.otpj.core.Probe.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of GenServer and monitors under concurrency, with random schedules:
 * <ol>
 *   <li>concurrent clients of a bank account see a sequential account, each client's requests
 *       applied in its order;</li>
 *   <li>with a server that crashes and is killed at random and restarted, every call returns its
 *       own reply or fails with a documented {@link CallException} within its timeout;</li>
 *   <li>every monitor delivers exactly one DOWN, with the right reason, and none after
 *       {@code demonitor(ref, true)}.</li>
 * </ol>
 */
class GenServerProperties {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    // ================================================================ 1. a sequential account

    sealed interface Op {}
    record Deposit(int amount) implements Op {}
    record Withdraw(int amount) implements Op {}
    record Balance() implements Op {}
    record DepositCast(int amount) implements Op {}
    record WithdrawCast(int amount) implements Op {}

    /** A client's request: who sent it and its place in that client's sequence. */
    record Req(int sender, int seq, Op op) {}

    record Refused(long balance) {}

    /** The sequential model, and the server's state: only ever touched by one thread at a time. */
    static final class Ledger {
        long balance;
        final Map<Integer, Integer> lastSeq = new HashMap<>();
        final List<Req> applied = new ArrayList<>();
        final List<String> violations = new ArrayList<>();

        Ledger(long opening) {
            balance = opening;
        }

        /** Applies {@code op} as the model says; @return the reply a call gets */
        Object apply(Op op) {
            return switch (op) {
                case Deposit(int a) -> balance += a;
                case DepositCast(int a) -> balance += a;
                case Withdraw(int a) -> a <= balance ? (Object) (balance -= a) : new Refused(balance);
                case WithdrawCast(int a) -> a <= balance ? (Object) (balance -= a) : new Refused(balance);
                case Balance b -> balance;
            };
        }

        void record(Req r) {
            int expected = lastSeq.getOrDefault(r.sender(), -1) + 1;
            if (r.seq() != expected) {
                violations.add("sender " + r.sender() + " seq " + r.seq() + " applied when " + expected + " was due");
            }
            lastSeq.put(r.sender(), r.seq());
            applied.add(r);
        }
    }

    static final class Account implements GenServer<Long, Ledger> {
        @Override
        public InitResult<Ledger> init(Long opening) {
            return ok(new Ledger(opening));
        }

        @Override
        public CallResult<Ledger> handleCall(Object request, From from, Ledger l) throws Exception {
            if (request instanceof Req r) {
                l.record(r);
                return reply(l.apply(r.op()), l);
            }
            return GenServer.super.handleCall(request, from, l);
        }

        @Override
        public CastResult<Ledger> handleCast(Object request, Ledger l) throws Exception {
            if (request instanceof Req r) {
                l.record(r);
                l.apply(r.op());
                return noreply(l);
            }
            return GenServer.super.handleCast(request, l);
        }
    }

    static boolean isCall(Op op) {
        return op instanceof Deposit || op instanceof Withdraw || op instanceof Balance;
    }

    @Provide
    Arbitrary<Op> ops() {
        Arbitrary<Integer> amount = Arbitraries.integers().between(1, 100);
        return Arbitraries.oneOf(amount.map(Deposit::new), amount.map(Withdraw::new), Arbitraries.just(new Balance()),
                amount.map(DepositCast::new), amount.map(WithdrawCast::new));
    }

    @Provide
    Arbitrary<List<List<Op>>> clients() {
        return ops().list().ofMaxSize(40).list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 50)
    void concurrentClientsSeeASequentialAccount(@ForAll("clients") List<List<Op>> clients,
            @ForAll @IntRange(min = 0, max = 200) int opening) {
        Pid account = GenServer.start(new Account(), (long) opening).pid();
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Map<Integer, Object>>> replies = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            int sender = c;
            List<Op> ops = clients.get(c);
            CompletableFuture<Map<Integer, Object>> mine = new CompletableFuture<>();
            replies.add(mine);
            Runnable body = () -> {
                try {
                    Probe.awaitQuietly(go);
                    Map<Integer, Object> got = new HashMap<>();
                    for (int seq = 0; seq < ops.size(); seq++) {
                        Req r = new Req(sender, seq, ops.get(seq));
                        if (isCall(r.op())) {
                            got.put(seq, GenServer.call(account, r, CALL_TIMEOUT));
                        } else {
                            GenServer.cast(account, r);
                        }
                    }
                    mine.complete(got);
                } catch (Throwable t) {
                    mine.completeExceptionally(t);
                }
            };
            // Half the clients are processes, half plain threads.
            if (c % 2 == 0) {
                Proc.spawn(body);
            } else {
                Thread.ofPlatform().start(body);
            }
        }
        go.countDown();
        List<Map<Integer, Object>> observed = new ArrayList<>();
        for (CompletableFuture<Map<Integer, Object>> f : replies) {
            observed.add(get(f));
        }
        // Every client has finished, so its casts are queued before this request.
        Ledger server = Sys.getState(account);
        GenServer.stop(account);

        assertEquals(List.of(), server.violations, "per-sender FIFO");
        int total = clients.stream().mapToInt(List::size).sum();
        assertEquals(total, server.applied.size(), "every request applied exactly once");
        // Replay the server's order through the model: each call saw what the model says.
        Ledger model = new Ledger(opening);
        for (Req r : server.applied) {
            assertEquals(clients.get(r.sender()).get(r.seq()), r.op());
            Object expected = model.apply(r.op());
            if (isCall(r.op())) {
                assertEquals(expected, observed.get(r.sender()).get(r.seq()), "reply to " + r);
            }
        }
        assertEquals(model.balance, server.balance);
        assertTrue(server.balance >= 0);
    }

    // ================================================================ 2. calls under crashes

    sealed interface Chaos {}
    /** Replies with its id. */
    record Echo(long id) implements Chaos {}
    /** Replies with its id, from another process, later. */
    record Deferred(long id) implements Chaos {}
    /** Never replied to: the caller must time out. */
    record Silent(long id) implements Chaos {}
    /** The server crashes handling it. */
    record Crash() implements Chaos {}
    /** The client kills the server (no call). */
    record Kill() implements Chaos {}
    /** The client sends the server an exit signal (no call). */
    record Signal() implements Chaos {}

    static final class Flaky implements GenServer<Void, Long> {
        @Override
        public InitResult<Long> init(Void v) {
            return ok(0L);
        }

        @Override
        public CallResult<Long> handleCall(Object request, From from, Long n) {
            return switch (request) {
                case Echo(long id) -> reply(id, n + 1);
                case Deferred(long id) -> {
                    Proc.spawn(() -> from.reply(id));
                    yield noreply(n + 1);
                }
                case Silent s -> noreply(n + 1);
                case Crash c -> throw new IllegalStateException("crash on request");
                default -> throw new IllegalArgumentException(String.valueOf(request));
            };
        }
    }

    /**
     * Starts a linked {@link Flaky} under {@code name}, again until one is up: a client's Kill
     * can find a new server by its name (registered before init) and kill it before its start
     * returns, and then the start fails with {@code killed}, as OTP's would. The failed one's
     * EXIT reaches the caller too, from a pid it never kept, and is ignored.
     */
    static Pid startFlaky(Name name) {
        for (;;) {
            if (GenServer.startLink(new Flaky(), null, name) instanceof StartResult.Ok(Pid pid)) {
                return pid;
            }
        }
    }

    @Provide
    Arbitrary<List<List<Chaos>>> chaosClients() {
        Arbitrary<Chaos> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.just((Chaos) new Echo(0))),
                net.jqwik.api.Tuple.of(3, Arbitraries.just((Chaos) new Deferred(0))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Chaos) new Silent(0))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Chaos) new Crash())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Chaos) new Kill())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Chaos) new Signal())));
        return op.list().ofMinSize(1).ofMaxSize(25).list().ofMinSize(1).ofMaxSize(4);
    }

    record Outcome(Chaos op, Object result, long tookNanos, long timeoutNanos) {}

    @Property(tries = 30)
    void everyCallEndsWithinItsTimeoutDespiteCrashes(@ForAll("chaosClients") List<List<Chaos>> clients) {
        String key = "flaky-" + System.nanoTime();
        Name name = Name.local(key);
        AtomicLong ids = new AtomicLong();
        // A supervisor-less keeper: restarts the server whenever it exits, until told to stop.
        CompletableFuture<Integer> restarts = new CompletableFuture<>();
        CountDownLatch firstStart = new CountDownLatch(1);
        Pid keeper = Proc.spawn(() -> {
            Proc.trapExit(true);
            int starts = 0;
            Pid server = startFlaky(name);
            firstStart.countDown();
            for (;;) {
                Object m = Proc.receive();
                if (m instanceof Exit e && e.from() == server) {
                    server = startFlaky(name);
                    starts++;
                } else if ("stop".equals(m)) {
                    Proc.unlink(server);
                    try {
                        GenServer.stop(server);
                    } catch (NoProcException | ServerExitedException e) {
                        // killed by a client just before; its EXIT is still on its way
                    }
                    restarts.complete(starts);
                    return;
                }
            }
        });
        Probe.await(firstStart);

        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<List<Outcome>>> results = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            List<Chaos> plan = clients.get(c);
            CompletableFuture<List<Outcome>> mine = new CompletableFuture<>();
            results.add(mine);
            Runnable body = () -> {
                try {
                    Probe.awaitQuietly(go);
                    List<Outcome> out = new ArrayList<>();
                    for (Chaos template : plan) {
                        long id = ids.incrementAndGet();
                        Chaos op = switch (template) {
                            case Echo e -> new Echo(id);
                            case Deferred d -> new Deferred(id);
                            case Silent s -> new Silent(id);
                            default -> template;
                        };
                        if (op instanceof Kill || op instanceof Signal) {
                            GenServer.whereis(name).ifPresent(p -> Proc.exit(p,
                                    op instanceof Kill ? ExitReason.kill() : ExitReason.of("signalled")));
                            continue;
                        }
                        Duration timeout = op instanceof Silent ? Duration.ofMillis(5) : CALL_TIMEOUT;
                        long t0 = System.nanoTime();
                        Object result;
                        try {
                            result = GenServer.call(name, op, timeout);
                        } catch (CallException e) {
                            result = e;
                        }
                        out.add(new Outcome(op, result, System.nanoTime() - t0, timeout.toNanos()));
                    }
                    mine.complete(out);
                } catch (Throwable t) {
                    mine.completeExceptionally(t);
                }
            };
            if (c % 2 == 0) {
                Proc.spawn(body);
            } else {
                Thread.ofVirtual().start(body);
            }
        }
        go.countDown();
        for (CompletableFuture<List<Outcome>> f : results) {
            // get() bounds the wait: a call that hung fails the property here.
            for (Outcome o : get(f)) {
                assertTrue(o.tookNanos() <= o.timeoutNanos() + Probe.WAIT.toNanos(), "call ran far past its timeout: " + o);
                switch (o.op()) {
                    case Echo(long id) -> assertTrue(o.result().equals(id) || isServerFailure(o.result()), o.toString());
                    case Deferred(long id) -> assertTrue(o.result().equals(id) || isServerFailure(o.result()), o.toString());
                    case Silent s -> assertTrue(o.result() instanceof CallTimeoutException || isServerFailure(o.result()),
                            o.toString());
                    case Crash c -> assertTrue(isServerFailure(o.result()), o.toString());
                    default -> throw new AssertionError(o.toString());
                }
            }
        }
        Proc.send(keeper, "stop");
        get(restarts);
    }

    /** The failures a call to a server that is dying, dead or restarting may give. */
    static boolean isServerFailure(Object result) {
        return result instanceof ServerExitedException || result instanceof NoProcException;
    }

    // ================================================================ 3. monitors

    enum End { NORMAL, CRASH, EXIT_SELF, KILL, SIGNAL }

    /** When the watcher calls {@code demonitor(ref, true)} on a monitor. */
    enum Flush { NEVER, BEFORE_DEATH, AFTER_DEATH }

    record TargetPlan(End end, boolean endFromAnotherThread, List<Flush> monitors) {}

    @Provide
    Arbitrary<List<TargetPlan>> monitorPlans() {
        Arbitrary<TargetPlan> target = Combinators.combine(Arbitraries.of(End.class), Arbitraries.of(true, false),
                Arbitraries.of(Flush.class).list().ofMinSize(1).ofMaxSize(3)).as(TargetPlan::new);
        return target.list().ofMinSize(1).ofMaxSize(6);
    }

    static final RuntimeException CRASH = new IllegalStateException("planned crash");

    static ExitReason expected(End end) {
        return switch (end) {
            case NORMAL -> ExitReason.normal();
            case CRASH -> ExitReason.crash(CRASH);
            case EXIT_SELF -> ExitReason.of("self");
            case KILL -> ExitReason.killed();
            case SIGNAL -> ExitReason.of("signal");
        };
    }

    @Property(tries = 50)
    void exactlyOneDownPerMonitorAndNoneAfterAFlush(@ForAll("monitorPlans") List<TargetPlan> plans) {
        String verdict = eval(() -> {
            List<Pid> targets = new ArrayList<>();
            List<List<MonitorRef>> refs = new ArrayList<>();
            List<MonitorRef> controls = new ArrayList<>();
            for (TargetPlan plan : plans) {
                Pid t = Probe.gated(() -> {
                    switch (plan.end()) {
                        case NORMAL -> {}
                        case CRASH -> throw CRASH;
                        case EXIT_SELF -> Proc.exit(ExitReason.of("self"));
                        default -> Proc.receive(); // waits for the signal
                    }
                });
                targets.add(t);
                List<MonitorRef> mine = new ArrayList<>();
                for (int i = 0; i < plan.monitors().size(); i++) {
                    mine.add(Proc.monitor(t));
                }
                refs.add(mine);
                // Made last, so its DOWN comes after every other DOWN for this target.
                controls.add(Proc.monitor(t));
            }
            for (int i = 0; i < plans.size(); i++) {
                for (int j = 0; j < plans.get(i).monitors().size(); j++) {
                    if (plans.get(i).monitors().get(j) == Flush.BEFORE_DEATH && !Proc.demonitor(refs.get(i).get(j), true)) {
                        return "demonitor of a live target's monitor said it was not active";
                    }
                }
            }
            List<Thread> enders = new ArrayList<>();
            for (int i = 0; i < plans.size(); i++) {
                TargetPlan plan = plans.get(i);
                Pid t = targets.get(i);
                Runnable end = switch (plan.end()) {
                    case KILL -> () -> Proc.exit(t, ExitReason.kill());
                    case SIGNAL -> () -> Proc.exit(t, ExitReason.of("signal"));
                    default -> () -> Proc.send(t, "go");
                };
                if (plan.endFromAnotherThread()) {
                    enders.add(Thread.ofPlatform().start(end));
                } else {
                    end.run();
                }
            }
            // Flush some monitors while their targets are dying, or already dead.
            for (int i = 0; i < plans.size(); i++) {
                for (int j = 0; j < plans.get(i).monitors().size(); j++) {
                    if (plans.get(i).monitors().get(j) == Flush.AFTER_DEATH) {
                        Proc.demonitor(refs.get(i).get(j), true);
                    }
                }
            }
            for (MonitorRef control : controls) {
                Proc.receive(m -> m instanceof Down d && d.ref() == control, Probe.WAIT)
                        .orElseThrow(() -> new AssertionError("no DOWN for " + control));
            }
            for (Thread t : enders) {
                t.join();
            }
            Map<MonitorRef, List<Down>> downs = new IdentityHashMap<>();
            for (Object m : drainMailbox()) {
                if (m instanceof Down d) {
                    downs.computeIfAbsent(d.ref(), r -> new ArrayList<>()).add(d);
                } else {
                    return "unexpected message " + m;
                }
            }
            for (int i = 0; i < plans.size(); i++) {
                TargetPlan plan = plans.get(i);
                if (downs.containsKey(controls.get(i))) {
                    return "a second DOWN for a control monitor";
                }
                for (int j = 0; j < plan.monitors().size(); j++) {
                    MonitorRef ref = refs.get(i).get(j);
                    List<Down> got = downs.getOrDefault(ref, List.of());
                    if (plan.monitors().get(j) == Flush.NEVER) {
                        Down want = new Down(ref, targets.get(i), expected(plan.end()));
                        if (!got.equals(List.of(want))) {
                            return "monitor " + j + " of " + plan + ": expected " + want + ", got " + got;
                        }
                    } else if (!got.isEmpty()) {
                        return "DOWN after demonitor(ref, true), " + plan + ": " + got;
                    }
                }
            }
            return "ok";
        });
        assertEquals("ok", verdict);
    }
}
