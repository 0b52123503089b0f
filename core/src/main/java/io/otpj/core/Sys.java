package io.otpj.core;

import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Introspection of a running GenServer, as Erlang's {@code sys} module: read or replace its
 * state, suspend and resume it, read its statistics, trace its messages.
 *
 * <p>Every operation is a system request handled by the server's own process between two
 * messages, so it sees a consistent state and is ordered with the server's other messages from
 * the same sender. They work on a suspended server. They fail like a {@link GenServer#call}
 * ({@link NoProcException}, {@link CallTimeoutException}, {@link ServerExitedException}); the
 * timeout is 5 s unless given. From the server's own process they throw
 * {@link CallingSelfException}; a plain thread interrupted while it waits gets
 * {@link CallInterruptedException}. A request whose caller timed out stays queued and still takes
 * effect when the server reaches it; only its answer is dropped. A null argument is rejected with
 * {@link NullPointerException}.
 */
public final class Sys {

    private Sys() {}

    sealed interface Request {}
    record GetState() implements Request {}
    record GetStatus() implements Request {}
    record ReplaceState(UnaryOperator<Object> fn) implements Request {}
    record Suspend() implements Request {}
    record Resume() implements Request {}
    record GetStatistics() implements Request {}
    record Trace(boolean on) implements Request {}
    record Stop(ExitReason reason) implements Request {}

    /** A {@link ReplaceState} function threw: rethrown in the caller, the state is unchanged. */
    record Raised(RuntimeException error) {}

    /**
     * Reads the server's current state ({@code sys:get_state}), waiting at most 5 s.
     *
     * @param <S> the type the caller expects the state to have; not checked here (a wrong one
     *     fails with {@link ClassCastException} where the result is used)
     * @param server the server, by pid or name
     * @return the server's current state (may be null)
     */
    public static <S> S getState(ServerRef server) {
        return GenServerClient.call(server, new GetState(), Node.current().options().callTimeout());
    }

    /**
     * Reads the server's current state, waiting at most {@code timeout}.
     *
     * @param <S> the type the caller expects the state to have; not checked here (a wrong one
     *     fails with {@link ClassCastException} where the result is used)
     * @param server the server, by pid or name
     * @param timeout how long to wait for the answer; {@link Proc#INFINITY} waits forever
     * @return the server's current state (may be null)
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static <S> S getState(ServerRef server, Duration timeout) {
        return GenServerClient.call(server, new GetState(), timeout);
    }

    /**
     * Reads the server's state as its {@link GenServer#formatStatus} shows it
     * ({@code sys:get_status}): what an operator's tool may display, where {@link #getState}
     * gives the raw state. A formatter that throws or returns null gives
     * {@code format_status_failed} in place of the state, never the raw one.
     *
     * @param server the server, by pid or name
     * @param timeout how long to wait for the answer; {@link Proc#INFINITY} waits forever
     * @return the formatted state; its {@code message} is null (no message is being handled)
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if an argument is null
     */
    public static GenServer.Status getStatus(ServerRef server, Duration timeout) {
        return GenServerClient.call(server, new GetStatus(), timeout);
    }

    /**
     * Replaces the server's state with {@code fn(state)} ({@code sys:replace_state}), waiting at
     * most 5 s. {@code fn} runs on the server's process, between two messages. If {@code fn}
     * throws a {@link RuntimeException}, the exception is rethrown here and the state is
     * unchanged; if it returns null, the new state is null. An {@link Error} thrown by {@code fn}
     * is not caught: it crashes the server, without {@code terminate}, and this call fails with
     * {@link ServerExitedException}.
     *
     * @param <S> the server's state type; not checked here (a wrong one fails with
     *     {@link ClassCastException}, inside {@code fn}, and so rethrown here, or where the result
     *     is used)
     * @param server the server, by pid or name
     * @param fn the function from the current state to the new one
     * @return the new state
     * @throws NullPointerException if {@code fn} is null
     */
    @SuppressWarnings("unchecked")
    public static <S> S replaceState(ServerRef server, UnaryOperator<S> fn) {
        Objects.requireNonNull(fn, "fn");
        return GenServerClient.call(server, new ReplaceState(s -> fn.apply((S) s)), Node.current().options().callTimeout());
    }

    /**
     * Suspends the server: it handles only system requests until {@link #resume}; other
     * messages wait in its mailbox, in order. Calls to it time out meanwhile. Suspending a
     * suspended server does nothing. Waits at most 5 s for the server to handle the request.
     *
     * @param server the server, by pid or name
     */
    public static void suspend(ServerRef server) {
        GenServerClient.call(server, new Suspend(), Node.current().options().callTimeout());
    }

    /**
     * Resumes a suspended server; does nothing to a running one. Waits at most 5 s for the
     * server to handle the request.
     *
     * @param server the server, by pid or name
     */
    public static void resume(ServerRef server) {
        GenServerClient.call(server, new Resume(), Node.current().options().callTimeout());
    }

    /**
     * Reads the server's statistics, waiting at most 5 s.
     *
     * @param server the server, by pid or name
     * @return the server's counters since it started
     */
    public static Statistics statistics(ServerRef server) {
        return GenServerClient.call(server, new GetStatistics(), Node.current().options().callTimeout());
    }

    /**
     * Turns tracing on or off: while on, the server logs each message it handles and the state
     * after it, at INFO on the logger {@code io.otpj.core.GenServer}, as one line
     * {@code sys_trace pid=.. event=.. message=.. state=..}. Waits at most 5 s for the server to
     * handle the request.
     *
     * @param server the server, by pid or name
     * @param on {@code true} to start tracing, {@code false} to stop
     */
    public static void trace(ServerRef server, boolean on) {
        GenServerClient.call(server, new Trace(on), Node.current().options().callTimeout());
    }
}
