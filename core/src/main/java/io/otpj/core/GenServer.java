package io.otpj.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generic server: the Java form of Elixir's {@code GenServer} and Erlang's {@code gen_server}.
 *
 * <p>Implement the callbacks; start the server with {@link #start} or {@link #startLink}; talk
 * to it with {@link #call}, {@link #cast} and {@link Proc#send}. Messages are ordinary objects,
 * best written as records and matched with a pattern-matching {@code switch}:
 *
 * <pre>{@code
 * final class Counter implements GenServer<Integer, Integer> {
 *     record Inc(int by) {}
 *     record Get() {}
 *
 *     public InitResult<Integer> init(Integer start) { return ok(start); }
 *
 *     public CallResult<Integer> handleCall(Object req, From from, Integer n) {
 *         return switch (req) {
 *             case Get g -> reply(n, n);
 *             default -> throw new UnhandledMessageException...; // or leave it to the default
 *         };
 *     }
 *
 *     public CastResult<Integer> handleCast(Object req, Integer n) {
 *         return switch (req) {
 *             case Inc(int by) -> noreply(n + by);
 *             default -> GenServer.super.handleCast(req, n);
 *         };
 *     }
 * }
 * }</pre>
 *
 * <h2>The callback contract</h2>
 * All callbacks run on the server's own process, one at a time, in the order the messages
 * arrived, so the state needs no synchronisation. A callback that throws crashes the server:
 * {@code terminate} runs with {@link ExitReason.Crash}, a crash report is logged and the server
 * exits with that reason. A callback that returns {@code null} ends the server with
 * {@link ExitReason.BadReturnValue}. Calling {@link Proc#exit(ExitReason)} from a callback ends
 * the server with that reason, after {@code terminate}.
 *
 * <ul>
 *   <li>{@link #init}: runs in the new process before {@code start} returns.</li>
 *   <li>{@link #handleCall}: a {@link #call}; answer with {@code reply(...)}, or return
 *       {@code noreply(...)} and answer later with {@link From#reply}.</li>
 *   <li>{@link #handleCast}: a {@link #cast}. Unhandled casts crash the server (the default).</li>
 *   <li>{@link #handleInfo}: any other message, including {@link Down}, {@link Exit} (when
 *       trapping exits) and {@link IdleTimeout}. Unhandled ones are logged and dropped (the
 *       default).</li>
 *   <li>{@link #handleContinue}: runs after a callback returned {@link Action#continueWith},
 *       before any queued message.</li>
 *   <li>{@link #terminate}: runs when the server stops by a {@code stop} result, a crash, a
 *       {@link #stop} request, or an exit signal from its parent while it traps exits. It does
 *       not run on {@code kill}, nor on an exit signal when the server does not trap exits.</li>
 * </ul>
 *
 * <h2>Calls</h2>
 * {@link #call} waits 5 seconds by default. Its failures are distinct {@link CallException}s:
 * {@link NoProcException} (no such server), {@link CallTimeoutException} (no reply in time; a
 * late reply is dropped and can never be taken for the answer to another call),
 * {@link ServerExitedException} (the server died during the call; raised at once, carrying the
 * server's exit reason), {@link CallingSelfException} (a server calling itself). A call works
 * from a process and from a plain thread alike.
 *
 * @param <A> the type of the argument given to {@link #init}
 * @param <S> the type of the server's state
 */
public interface GenServer<A, S> {

    /** The default timeout of {@link #call(ServerRef, Object)}: 5 seconds, as in OTP. */
    Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

    // ------------------------------------------------------------------ callbacks

    /**
     * Initialises the server, in the new process, before {@code start} returns. Return
     * {@code ok(state)} (optionally with an {@link Action}), {@code ignore()},
     * {@code stopInit(reason)} or {@code errorInit(reason)}. A thrown exception fails the start
     * with {@link ExitReason.Crash}; the starter is not harmed.
     */
    InitResult<S> init(A arg) throws Exception;

    /**
     * Handles a synchronous request. The default crashes the server with an
     * {@link UnhandledMessageException} naming the request, so the caller gets
     * {@link ServerExitedException}.
     */
    default CallResult<S> handleCall(Object request, From from, S state) throws Exception {
        throw new UnhandledMessageException("call", request, this);
    }

    /** Handles an asynchronous request. The default crashes the server naming the request. */
    default CastResult<S> handleCast(Object request, S state) throws Exception {
        throw new UnhandledMessageException("cast", request, this);
    }

    /** Handles any other message. The default logs it at WARN and drops it. */
    default CastResult<S> handleInfo(Object message, S state) throws Exception {
        Internal.LOG.warn("unhandled_info pid={} server={} message={}", Proc.self(), getClass().getName(), message);
        return noreply(state);
    }

    /** Handles a {@link Action#continueWith continue}. The default crashes the server. */
    default CastResult<S> handleContinue(Object arg, S state) throws Exception {
        throw new UnhandledMessageException("continue", arg, this);
    }

    /**
     * Cleans up before the server exits; see the class comment for when it runs. An exception
     * thrown here is logged and becomes the exit reason. The default does nothing.
     */
    default void terminate(ExitReason reason, S state) throws Exception {}

    // ------------------------------------------------------------------ result helpers

    /** @return {@code {ok, state}} */
    default InitResult<S> ok(S state) {
        return new InitResult.Ok<>(state, Actions.NONE);
    }

    /** @return {@code {ok, state, action}} */
    default InitResult<S> ok(S state, Action action) {
        return new InitResult.Ok<>(state, action);
    }

    /** @return {@code ignore}: start returns {@link StartResult.Ignored} */
    default InitResult<S> ignore() {
        return new InitResult.Ignore<>();
    }

    /** @return {@code {stop, reason}} from init */
    default InitResult<S> stopInit(ExitReason reason) {
        return new InitResult.Stop<>(reason);
    }

    /** @return {@code {error, reason}} from init: start fails without a crash report */
    default InitResult<S> errorInit(ExitReason reason) {
        return new InitResult.Error<>(reason);
    }

    /** @return {@code {reply, reply, state}} */
    default CallResult<S> reply(Object reply, S state) {
        return new CallResult.Reply<>(reply, state, Actions.NONE);
    }

    /** @return {@code {reply, reply, state, action}} */
    default CallResult<S> reply(Object reply, S state, Action action) {
        return new CallResult.Reply<>(reply, state, action);
    }

    /** @return {@code {noreply, state}} */
    default CastResult<S> noreply(S state) {
        return new CastResult.NoReply<>(state, Actions.NONE);
    }

    /** @return {@code {noreply, state, action}} */
    default CastResult<S> noreply(S state, Action action) {
        return new CastResult.NoReply<>(state, action);
    }

    /** @return {@code {stop, reason, state}} */
    default CastResult<S> stop(ExitReason reason, S state) {
        return new CastResult.Stop<>(reason, state);
    }

    /** @return {@code {stop, reason, reply, state}} */
    default CallResult<S> stop(ExitReason reason, Object reply, S state) {
        return new CallResult.StopReply<>(reason, reply, state);
    }

    // ------------------------------------------------------------------ client API: start

    /**
     * Starts a server, not linked to the caller, and waits until its {@code init} has returned.
     * Works from a process or a plain thread.
     *
     * @return {@link StartResult.Ok}, {@link StartResult.Ignored} or {@link StartResult.Failed};
     *     on failure the process is dead and its name free when this returns
     */
    static <A, S> StartResult start(GenServer<A, S> server, A arg) {
        return GenServerClient.start(server, arg, null, false);
    }

    /** Like {@link #start(GenServer, Object)}, registering the server under {@code name} first. */
    static <A, S> StartResult start(GenServer<A, S> server, A arg, Name name) {
        return GenServerClient.start(server, arg, Objects.requireNonNull(name, "name"), false);
    }

    /**
     * Starts a server linked to the calling process; the link exists before {@code init} runs.
     * A failing {@code init} is returned as {@link StartResult.Failed}; it does not kill the
     * caller (the link is removed before the new process exits).
     *
     * @throws IllegalStateException if the caller is not a process
     */
    static <A, S> StartResult startLink(GenServer<A, S> server, A arg) {
        return GenServerClient.start(server, arg, null, true);
    }

    /** Like {@link #startLink(GenServer, Object)}, registering the server under {@code name} first. */
    static <A, S> StartResult startLink(GenServer<A, S> server, A arg, Name name) {
        return GenServerClient.start(server, arg, Objects.requireNonNull(name, "name"), true);
    }

    // ------------------------------------------------------------------ client API: messages

    /** Calls {@code server} with the {@linkplain #DEFAULT_CALL_TIMEOUT default timeout} of 5 s. */
    static <R> R call(ServerRef server, Object request) {
        return GenServerClient.call(server, request, DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Sends {@code request} to {@code server}'s {@code handleCall} and waits for the reply.
     *
     * @param timeout how long to wait; {@link Proc#INFINITY} waits forever
     * @return the reply (may be null); the type is the caller's expectation, checked on use
     * @throws NoProcException no live process under {@code server}
     * @throws CallTimeoutException no reply within {@code timeout}
     * @throws ServerExitedException the server exited before replying
     * @throws CallingSelfException a process called itself
     * @throws CallInterruptedException a plain calling thread was interrupted
     * @throws NullPointerException {@code request} is null
     * @throws IllegalArgumentException {@code timeout} is negative
     */
    static <R> R call(ServerRef server, Object request, Duration timeout) {
        return GenServerClient.call(server, request, timeout);
    }

    /**
     * Sends {@code request} to {@code server}'s {@code handleCast} and returns at once. Never
     * fails for a dead or unknown server: the request is dropped, as in OTP.
     *
     * @throws NullPointerException {@code request} is null
     */
    static void cast(ServerRef server, Object request) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(request, "request must not be null");
        Proc.sendQuietly(server, new GenServerLoop.Cast(request));
    }

    /**
     * Sends a call request now and returns a handle to collect the reply later
     * ({@code send_request} / {@code receive_response}). The handle must be awaited by the thread
     * that created it.
     *
     * @throws NoProcException no live process under {@code server}
     */
    static <R> RequestId<R> sendRequest(ServerRef server, Object request) {
        return GenServerClient.sendRequest(server, request);
    }

    /** Stops {@code server} with {@code normal}, waiting forever; see {@link #stop(ServerRef, ExitReason, Duration)}. */
    static void stop(ServerRef server) {
        stop(server, Reasons.NORMAL, Proc.INFINITY);
    }

    /** Stops {@code server} with {@code reason}, waiting forever. */
    static void stop(ServerRef server, ExitReason reason) {
        stop(server, reason, Proc.INFINITY);
    }

    /**
     * Stops {@code server} synchronously: it finishes the message in hand, runs
     * {@code terminate(reason, state)} and exits with {@code reason}. Returns once the process is
     * dead and its name free.
     *
     * @throws NoProcException no live process under {@code server}
     * @throws CallTimeoutException it did not stop within {@code timeout}: it is left running, and
     *     still stops when it reaches the stop request, as in OTP
     * @throws ServerExitedException it exited with another reason (its {@code terminate} threw,
     *     or it died of something else first)
     */
    static void stop(ServerRef server, ExitReason reason, Duration timeout) {
        GenServerClient.stop(server, reason, timeout);
    }

    /** @return the live process {@code name} denotes, if any */
    static Optional<Pid> whereis(ServerRef name) {
        Pcb p = Proc.resolve(Objects.requireNonNull(name, "name"));
        return p != null && p.isAlive() ? Optional.of(p.pid) : Optional.empty();
    }
}

/** Holder for the interface's private constants (interfaces cannot have private fields). */
final class Internal {
    static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.GenServer");

    private Internal() {}
}
