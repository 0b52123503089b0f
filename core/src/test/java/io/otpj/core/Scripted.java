package io.otpj.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A GenServer whose callbacks are scripted by the messages themselves, so each test states
 * exactly the return form it checks. The state is an immutable list of events; every event is
 * also offered to {@link #seen} so a test can wait for it.
 *
 * <ul>
 *   <li>init: the argument is an {@link InitFn};</li>
 *   <li>call: a {@link Run} runs its function; {@code "get"} replies with the state; anything
 *       else is left to the default (which crashes, naming it);</li>
 *   <li>cast and info: a {@link Step} runs its function; other values are recorded as
 *       {@code cast:x} / {@code info:x};</li>
 *   <li>continue: a {@link Step} runs; other values are recorded as {@code continue:x};</li>
 *   <li>{@link IdleTimeout} is recorded as {@code timeout};</li>
 *   <li>terminate: recorded in {@link #terminated}; {@link #onTerminate} may throw.</li>
 * </ul>
 */
final class Scripted implements GenServer<Scripted.InitFn, List<Object>> {

    @FunctionalInterface
    interface InitFn {
        InitResult<List<Object>> apply(Scripted self) throws Exception;
    }

    @FunctionalInterface
    interface CallFn {
        CallResult<List<Object>> apply(Scripted self, From from, List<Object> state) throws Exception;
    }

    @FunctionalInterface
    interface StepFn {
        CastResult<List<Object>> apply(Scripted self, List<Object> state) throws Exception;
    }

    /** A call request that runs {@code fn}. */
    record Run(CallFn fn) {}

    /** A cast, info or continue argument that runs {@code fn}. */
    record Step(StepFn fn) {}

    record Terminated(ExitReason reason, List<Object> state) {}

    @FunctionalInterface
    interface TerminateFn {
        void apply(ExitReason reason, List<Object> state) throws Exception;
    }

    final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
    final CompletableFuture<Terminated> terminated = new CompletableFuture<>();
    final AtomicInteger terminateCalls = new AtomicInteger();
    volatile TerminateFn onTerminate = (r, s) -> {};

    /** @return a new state: {@code state} plus {@code event}, which is also reported to {@link #seen} */
    List<Object> with(List<Object> state, Object event) {
        List<Object> next = new ArrayList<>(state);
        next.add(event);
        seen.add(event);
        return List.copyOf(next);
    }

    @Override
    public InitResult<List<Object>> init(InitFn fn) throws Exception {
        return fn.apply(this);
    }

    @Override
    public CallResult<List<Object>> handleCall(Object request, From from, List<Object> state) throws Exception {
        return switch (request) {
            case Run(CallFn fn) -> fn.apply(this, from, state);
            case String s when s.equals("get") -> reply(state, state);
            default -> GenServer.super.handleCall(request, from, state);
        };
    }

    @Override
    public CastResult<List<Object>> handleCast(Object request, List<Object> state) throws Exception {
        return switch (request) {
            case Step(StepFn fn) -> fn.apply(this, state);
            default -> noreply(with(state, "cast:" + request));
        };
    }

    @Override
    public CastResult<List<Object>> handleInfo(Object message, List<Object> state) throws Exception {
        return switch (message) {
            case Step(StepFn fn) -> fn.apply(this, state);
            case IdleTimeout t -> noreply(with(state, "timeout"));
            default -> noreply(with(state, "info:" + message));
        };
    }

    @Override
    public CastResult<List<Object>> handleContinue(Object arg, List<Object> state) throws Exception {
        return switch (arg) {
            case Step(StepFn fn) -> fn.apply(this, state);
            default -> noreply(with(state, "continue:" + arg));
        };
    }

    @Override
    public void terminate(ExitReason reason, List<Object> state) throws Exception {
        terminateCalls.incrementAndGet();
        terminated.complete(new Terminated(reason, state));
        onTerminate.apply(reason, state);
    }

    /** Starts a scripted server whose init returns {@code ok(List.of())}. */
    static Scripted startOk() {
        Scripted s = new Scripted();
        s.pid = GenServer.start(s, self -> self.ok(List.of())).pid();
        return s;
    }

    /** The pid, for servers made by {@link #startOk}. */
    Pid pid;
}
