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
 * {@snippet class=io.otpj.examples.Counter region=server}
 *
 * <p>Started, used and stopped from any thread or process:
 *
 * {@snippet class=io.otpj.examples.Counter region=use}
 *
 * <p>(Both snippets are taken from a compiled and tested source file, so they cannot rot.)
 *
 * <h2>The callback contract</h2>
 * All callbacks run on the server's own process, one at a time, in the order the messages
 * arrived, so the state needs no synchronisation. A callback other than {@code init} that
 * throws crashes the server: {@code terminate} runs with {@link ExitReason.Crash}, a crash report
 * is logged and the server exits with that reason (an {@code init} that throws fails the start
 * instead, without {@code terminate}). A callback that returns {@code null} ends the server with
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

    /**
     * The default of a node's {@linkplain NodeOptions#callTimeout() call timeout}: 5 seconds, as
     * in OTP.
     */
    Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

    // ------------------------------------------------------------------ callbacks

    /**
     * Initialises the server, in the new process, before {@code start} returns. Return
     * {@code ok(state)} (optionally with an {@link Action}), {@code ignore()},
     * {@code stopInit(reason)} or {@code errorInit(reason)}. A thrown exception fails the start
     * with {@link ExitReason.Crash}; the starter is not harmed.
     *
     * @param arg the argument given to {@code start} or {@code startLink}, as given (may be null)
     * @return how the start ends; {@code null} fails it with {@link ExitReason.BadReturnValue}
     * @throws Exception any exception fails the start: {@code start} returns
     *     {@link StartResult.Failed} with an {@link ExitReason.Crash} reason (for
     *     {@link Proc#exit(ExitReason)}, that reason), a crash report is logged unless the reason
     *     is clean, and the process exits with that reason; {@code terminate} does not run
     */
    InitResult<S> init(A arg) throws Exception;

    /**
     * Handles a synchronous request. The default crashes the server with an
     * {@link UnhandledMessageException} naming the request, so the caller gets
     * {@link ServerExitedException}.
     *
     * @param request what the caller passed to {@code call} or {@code sendRequest}; never null
     * @param from the caller's one-shot reply handle: keep it and return {@code noreply(...)} to
     *     answer later with {@link From#reply}, from any thread
     * @param state the current state, as the previous callback (or {@link Sys#replaceState}) left it
     * @return {@code reply(...)}, {@code noreply(...)} or {@code stop(...)}; {@code null} ends the
     *     server with {@link ExitReason.BadReturnValue}
     * @throws Exception any exception crashes the server: {@code terminate} runs with an
     *     {@link ExitReason.Crash} reason, the server exits with it, and a caller not yet answered
     *     gets {@link ServerExitedException}
     */
    default CallResult<S> handleCall(Object request, From from, S state) throws Exception {
        throw new UnhandledMessageException("call", request, this);
    }

    /**
     * Handles an asynchronous request. The default crashes the server naming the request.
     *
     * @param request what the sender passed to {@code cast}; never null
     * @param state the current state, as the previous callback (or {@link Sys#replaceState}) left it
     * @return {@code noreply(...)} or {@code stop(...)}; {@code null} ends the server with
     *     {@link ExitReason.BadReturnValue}
     * @throws Exception any exception crashes the server: {@code terminate} runs with an
     *     {@link ExitReason.Crash} reason and the server exits with it (the default throws
     *     {@link UnhandledMessageException})
     */
    default CastResult<S> handleCast(Object request, S state) throws Exception {
        throw new UnhandledMessageException("cast", request, this);
    }

    /**
     * Handles any other message. The default logs it at WARN and drops it.
     *
     * @param message anything that is not a call, a cast or a system request: a {@link Down}, an
     *     {@link Exit} (when trapping exits; except the parent's, which stops a server started with
     *     {@code startLink}), an {@link IdleTimeout}, or a message sent with {@link Proc#send} or
     *     {@link Proc#sendAfter}; never null
     * @param state the current state, as the previous callback (or {@link Sys#replaceState}) left it
     * @return {@code noreply(...)} or {@code stop(...)}; {@code null} ends the server with
     *     {@link ExitReason.BadReturnValue}
     * @throws Exception any exception crashes the server: {@code terminate} runs with an
     *     {@link ExitReason.Crash} reason and the server exits with it
     */
    default CastResult<S> handleInfo(Object message, S state) throws Exception {
        Internal.LOG.warn("unhandled_info pid={} server={} message={}", Proc.self(), getClass().getName(), message);
        return noreply(state);
    }

    /**
     * Handles a {@link Action#continueWith continue}. The default crashes the server.
     *
     * @param arg the argument of the {@link Action#continueWith} just returned; never null
     * @param state the state the callback that returned the continue left
     * @return {@code noreply(...)} (possibly with another continue, which runs next) or
     *     {@code stop(...)}; {@code null} ends the server with {@link ExitReason.BadReturnValue}
     * @throws Exception any exception crashes the server: {@code terminate} runs with an
     *     {@link ExitReason.Crash} reason and the server exits with it (the default throws
     *     {@link UnhandledMessageException})
     */
    default CastResult<S> handleContinue(Object arg, S state) throws Exception {
        throw new UnhandledMessageException("continue", arg, this);
    }

    /**
     * Cleans up before the server exits; see the class comment for when it runs. An exception
     * thrown here is logged and becomes the exit reason. The default does nothing.
     *
     * @param reason why the server stops: the reason of a {@code stop} result or of a
     *     {@link #stop(ServerRef, ExitReason, Duration) stop} request, an {@link ExitReason.Crash},
     *     an {@link ExitReason.BadReturnValue}, the reason given to {@link Proc#exit(ExitReason)},
     *     or the parent's exit reason
     * @param state for a {@code stop} result, the state it carries; after a crash or a bad return
     *     value, the state from before the failing callback; otherwise the current state
     * @throws Exception any exception is logged at ERROR and becomes the exit reason: an
     *     {@link ExitReason.Crash}, or for {@link Proc#exit(ExitReason)}, its reason
     */
    default void terminate(ExitReason reason, S state) throws Exception {}

    /**
     * What the server's state and current message look like in its crash reports and
     * {@linkplain Sys#trace traces}, OTP's {@code format_status/1}: override it to hide secrets
     * (a card number, a password) or to shorten a large state. It runs in the server's process,
     * only when a report or trace line is written. The default shows both as they are.
     *
     * @param status the state and the message being handled (null between messages)
     * @return what to print instead; if this throws or returns null, the report says
     *     {@code format_status_failed} in place of both, so nothing is shown unformatted
     */
    default Status formatStatus(Status status) {
        return status;
    }

    /**
     * The parts of a server that its crash reports and traces show, for {@link #formatStatus}.
     *
     * @param state the state (or what stands for it)
     * @param message the message being handled, or null
     */
    record Status(Object state, Object message) {}

    // ------------------------------------------------------------------ result helpers

    /**
     * Starts the server with {@code state} and no action.
     *
     * @param state the state the server starts with (may be null)
     * @return {@code {ok, state}}
     */
    default InitResult<S> ok(S state) {
        return new InitResult.Ok<>(state, Actions.NONE);
    }

    /**
     * Starts the server with {@code state}, then {@code action}.
     *
     * @param state the state the server starts with (may be null)
     * @param action what the server does before it waits for its first message; not null
     * @return {@code {ok, state, action}}
     */
    default InitResult<S> ok(S state, Action action) {
        return new InitResult.Ok<>(state, action);
    }

    /**
     * Abandons the start without an error; the process exits {@code normal}.
     *
     * @return {@code ignore}: start returns {@link StartResult.Ignored}
     */
    default InitResult<S> ignore() {
        return new InitResult.Ignore<>();
    }

    /**
     * Fails the start, with a crash report unless {@code reason} is clean.
     *
     * @param reason what {@link StartResult.Failed} carries and the process exits with; not null
     * @return {@code {stop, reason}} from init
     */
    default InitResult<S> stopInit(ExitReason reason) {
        return new InitResult.Stop<>(reason);
    }

    /**
     * Fails the start silently.
     *
     * @param reason what {@link StartResult.Failed} carries (the process itself exits
     *     {@code normal}); not null
     * @return {@code {error, reason}} from init: start fails without a crash report
     */
    default InitResult<S> errorInit(ExitReason reason) {
        return new InitResult.Error<>(reason);
    }

    /**
     * Answers the call with {@code reply}.
     *
     * @param reply what the caller's {@code call} returns (may be null)
     * @param state the state the server continues with (may be null)
     * @return {@code {reply, reply, state}}
     */
    default CallResult<S> reply(Object reply, S state) {
        return new CallResult.Reply<>(reply, state, Actions.NONE);
    }

    /**
     * Answers a typed call: the compiler checks that {@code reply} is what {@code request}'s
     * caller gets (see {@link Call}).
     *
     * @param <R> the reply type of the request
     * @param request the request being answered (only its type is used)
     * @param reply what the caller's {@code call} returns (may be null)
     * @param state the state the server continues with (may be null)
     * @return {@code {reply, reply, state}}
     */
    default <R> CallResult<S> replyTo(Call<R> request, R reply, S state) {
        return new CallResult.Reply<>(reply, state, Actions.NONE);
    }

    /**
     * Answers the call with {@code reply}, then performs {@code action}.
     *
     * @param reply what the caller's {@code call} returns (may be null)
     * @param state the state the server continues with (may be null)
     * @param action what the server does after replying, before it waits for the next message;
     *     not null
     * @return {@code {reply, reply, state, action}}
     */
    default CallResult<S> reply(Object reply, S state, Action action) {
        return new CallResult.Reply<>(reply, state, action);
    }

    /**
     * Continues with {@code state}. From {@code handleCall}, the call stays pending until it is
     * answered through {@link From#reply}, times out, or the server exits.
     *
     * @param state the state the server continues with (may be null)
     * @return {@code {noreply, state}}
     */
    default CastResult<S> noreply(S state) {
        return new CastResult.NoReply<>(state, Actions.NONE);
    }

    /**
     * Continues with {@code state}, then performs {@code action}.
     *
     * @param state the state the server continues with (may be null)
     * @param action what the server does before it waits for the next message; not null
     * @return {@code {noreply, state, action}}
     */
    default CastResult<S> noreply(S state, Action action) {
        return new CastResult.NoReply<>(state, action);
    }

    /**
     * Stops the server: {@code terminate(reason, state)} runs, then the server exits with
     * {@code reason}. From {@code handleCall}, a caller not yet answered through {@link From#reply}
     * gets {@link ServerExitedException}.
     *
     * @param reason what {@code terminate} receives and the server exits with; not null
     * @param state the state {@code terminate} receives (may be null)
     * @return {@code {stop, reason, state}}
     */
    default CastResult<S> stop(ExitReason reason, S state) {
        return new CastResult.Stop<>(reason, state);
    }

    /**
     * Stops the server after answering the call: {@code terminate(reason, state)} runs first,
     * then the caller gets {@code reply}, then the server exits with {@code reason}.
     *
     * @param reason what {@code terminate} receives and the server exits with; not null
     * @param reply what the caller's {@code call} returns (may be null)
     * @param state the state {@code terminate} receives (may be null)
     * @return {@code {stop, reason, reply, state}}
     */
    default CallResult<S> stop(ExitReason reason, Object reply, S state) {
        return new CallResult.StopReply<>(reason, reply, state);
    }

    // ------------------------------------------------------------------ client API: start

    /**
     * Starts a server, not linked to the caller, and waits until its {@code init} has returned.
     * Works from a process or a plain thread. A starting process's wait cannot be interrupted; a
     * plain starting thread that is interrupted kills the new process and gets
     * {@code Failed(interrupted)}, with its interrupt status set.
     *
     * @param <A> the type of the argument given to {@code init}
     * @param <S> the type of the server's state
     * @param server the callbacks; not null
     * @param arg what {@code init} receives (may be null)
     * @return {@link StartResult.Ok}, {@link StartResult.Ignored} or {@link StartResult.Failed};
     *     on failure the process is dead and its name free when this returns
     * @throws NullPointerException if {@code server} is null
     */
    static <A, S> StartResult start(GenServer<A, S> server, A arg) {
        return GenServerClient.start(server, arg, (Name) null, false);
    }

    /**
     * Like {@link #start(GenServer, Object)}, registering the server under {@code name} first.
     * The new process registers it before {@code init} runs; if a live process holds it, the
     * start fails with {@link ExitReason.AlreadyStarted} and {@code init} does not run.
     *
     * @param <A> the type of the argument given to {@code init}
     * @param <S> the type of the server's state
     * @param server the callbacks; not null
     * @param arg what {@code init} receives (may be null)
     * @param name the local or via-name to register; not null
     * @return {@link StartResult.Ok}, {@link StartResult.Ignored} or {@link StartResult.Failed};
     *     on failure the process is dead and its name free when this returns
     * @throws NullPointerException if {@code server} or {@code name} is null
     */
    static <A, S> StartResult start(GenServer<A, S> server, A arg, Name name) {
        return GenServerClient.start(server, arg, Objects.requireNonNull(name, "name"), false);
    }

    /**
     * Starts a server linked to the calling process; the link exists before {@code init} runs.
     * A failing {@code init} is returned as {@link StartResult.Failed}; it does not kill the
     * caller (the link is removed before the new process exits).
     *
     * @param <A> the type of the argument given to {@code init}
     * @param <S> the type of the server's state
     * @param server the callbacks; not null
     * @param arg what {@code init} receives (may be null)
     * @return {@link StartResult.Ok}, {@link StartResult.Ignored} or {@link StartResult.Failed};
     *     on failure the process is dead, its name free and the link gone when this returns
     * @throws IllegalStateException if the caller is not a process
     * @throws NullPointerException if {@code server} is null
     */
    static <A, S> StartResult startLink(GenServer<A, S> server, A arg) {
        return GenServerClient.start(server, arg, (Name) null, true);
    }

    /**
     * Like {@link #startLink(GenServer, Object)}, registering the server under {@code name} first.
     * The new process registers it before {@code init} runs; if a live process holds it, the
     * start fails with {@link ExitReason.AlreadyStarted} and {@code init} does not run.
     *
     * @param <A> the type of the argument given to {@code init}
     * @param <S> the type of the server's state
     * @param server the callbacks; not null
     * @param arg what {@code init} receives (may be null)
     * @param name the local or via-name to register; not null
     * @return {@link StartResult.Ok}, {@link StartResult.Ignored} or {@link StartResult.Failed};
     *     on failure the process is dead, its name free and the link gone when this returns
     * @throws IllegalStateException if the caller is not a process
     * @throws NullPointerException if {@code server} or {@code name} is null
     */
    static <A, S> StartResult startLink(GenServer<A, S> server, A arg, Name name) {
        return GenServerClient.start(server, arg, Objects.requireNonNull(name, "name"), true);
    }

    /**
     * Starts a server with {@link StartOptions} (name, init timeout, hibernate_after, trace),
     * from any thread, linked to nothing; otherwise as {@link #start(GenServer, Object, Name)}.
     *
     * @param <A> the type of {@code init}'s argument
     * @param <S> the state type
     * @param server the callbacks
     * @param arg what {@code init} receives
     * @param options the start options; past {@link StartOptions#timeout()} the half-started
     *     server is killed and the result is {@code Failed(timeout)}
     * @return the start's result
     * @throws NullPointerException if {@code server} or {@code options} is null
     */
    static <A, S> StartResult start(GenServer<A, S> server, A arg, StartOptions options) {
        return GenServerClient.start(server, arg, options, false);
    }

    /**
     * Starts a server with {@link StartOptions}, linked to the calling process; a start that
     * times out is unlinked before the server is killed, so the caller does not die of it.
     *
     * @param <A> the type of {@code init}'s argument
     * @param <S> the state type
     * @param server the callbacks
     * @param arg what {@code init} receives
     * @param options the start options
     * @return the start's result
     * @throws IllegalStateException if the calling thread is not a process
     * @throws NullPointerException if {@code server} or {@code options} is null
     */
    static <A, S> StartResult startLink(GenServer<A, S> server, A arg, StartOptions options) {
        return GenServerClient.start(server, arg, options, true);
    }

    // ------------------------------------------------------------------ client API: messages

    /**
     * Calls {@code server} with the {@linkplain Node#current() current node}'s
     * {@linkplain NodeOptions#callTimeout() call timeout} (5 s unless the node was started with
     * another).
     * It fails as {@link #call(ServerRef, Object, Duration)} does.
     *
     * @param <R> the reply type the caller expects; not checked here: a mismatch throws
     *     {@link ClassCastException} where the reply is used
     * @param server a pid, or a name resolved now
     * @param request what {@code handleCall} receives; not null
     * @return the reply (may be null)
     */
    static <R> R call(ServerRef server, Object request) {
        return GenServerClient.call(server, request, Node.current().options().callTimeout());
    }

    /**
     * Calls {@code server} with a typed request, with the current node's call timeout: the reply
     * has the request's reply type, checked by the compiler (see {@link Call}). Fails as
     * {@link #call(ServerRef, Object, Duration)} does.
     *
     * @param <R> the request's reply type
     * @param server a pid, or a name resolved now
     * @param request what {@code handleCall} receives; not null
     * @return the reply (may be null)
     */
    static <R> R call(ServerRef server, Call<R> request) {
        return GenServerClient.call(server, request, Node.current().options().callTimeout());
    }

    /**
     * Calls {@code server} with a typed request and waits at most {@code timeout}; as
     * {@link #call(ServerRef, Object, Duration)}, with the reply typed by the request.
     *
     * @param <R> the request's reply type
     * @param server a pid, or a name resolved now
     * @param request what {@code handleCall} receives; not null
     * @param timeout how long to wait; {@link Proc#INFINITY} waits forever
     * @return the reply (may be null)
     */
    static <R> R call(ServerRef server, Call<R> request, Duration timeout) {
        return GenServerClient.call(server, request, timeout);
    }

    /**
     * Sends {@code request} to {@code server}'s {@code handleCall} and waits for the reply.
     *
     * @param <R> the reply type the caller expects; not checked here: a mismatch throws
     *     {@link ClassCastException} where the reply is used
     * @param server a pid, or a name resolved now
     * @param request what {@code handleCall} receives; not null
     * @param timeout how long to wait; {@link Proc#INFINITY} waits forever
     * @return the reply (may be null); the type is the caller's expectation, checked on use
     * @throws NoProcException no live process under {@code server}
     * @throws CallTimeoutException no reply within {@code timeout}
     * @throws ServerExitedException the server exited before replying
     * @throws CallingSelfException a process called itself
     * @throws CallInterruptedException a plain calling thread was interrupted
     * @throws NullPointerException {@code server}, {@code request} or {@code timeout} is null
     * @throws IllegalArgumentException {@code timeout} is negative
     */
    static <R> R call(ServerRef server, Object request, Duration timeout) {
        return GenServerClient.call(server, request, timeout);
    }

    /**
     * Sends {@code request} to {@code server}'s {@code handleCast} and returns at once. Never
     * fails for a dead or unknown server: the request is dropped, as in OTP. Nor when a
     * via-name's registry throws while resolving the name: Elixir's {@code cast} returns
     * {@code :ok} then too; the request is dropped and the failure logged (logger
     * {@code io.otpj.core.NameRegistry}: WARN with the stack for the first failure of a registry
     * class, DEBUG after that). Casts and calls from
     * one sender reach the server in the order they were sent.
     *
     * @param server a pid, or a name resolved now
     * @param request what {@code handleCast} receives; not null
     * @throws NullPointerException {@code server} or {@code request} is null
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
     * @param <R> the reply type the caller expects; not checked here: a mismatch throws
     *     {@link ClassCastException} where the reply is used
     * @param server a pid, or a name resolved now
     * @param request what {@code handleCall} receives; not null
     * @return the handle to {@link RequestId#await} or {@link RequestId#poll} the reply with; the
     *     request has no timeout until it is awaited
     * @throws NoProcException no live process under {@code server}
     * @throws CallingSelfException a process sent a request to itself
     * @throws NullPointerException {@code server} or {@code request} is null
     */
    static <R> RequestId<R> sendRequest(ServerRef server, Object request) {
        return GenServerClient.sendRequest(server, request);
    }

    /**
     * {@link #sendRequest(ServerRef, Object)} for a typed request: the handle's reply has the
     * request's reply type.
     *
     * @param <R> the request's reply type
     * @param server a pid, or a name resolved now
     * @param request what {@code handleCall} receives; not null
     * @return the handle to await or poll the reply with
     */
    static <R> RequestId<R> sendRequest(ServerRef server, Call<R> request) {
        return GenServerClient.sendRequest(server, request);
    }

    /**
     * Stops {@code server} with {@code normal}, waiting forever; see {@link #stop(ServerRef, ExitReason, Duration)}.
     *
     * @param server a pid, or a name resolved now
     */
    static void stop(ServerRef server) {
        stop(server, Reasons.NORMAL, Proc.INFINITY);
    }

    /**
     * Stops {@code server} with {@code reason}, waiting forever; see
     * {@link #stop(ServerRef, ExitReason, Duration)}.
     *
     * @param server a pid, or a name resolved now
     * @param reason what {@code terminate} receives and the server exits with; not null
     */
    static void stop(ServerRef server, ExitReason reason) {
        stop(server, reason, Proc.INFINITY);
    }

    /**
     * Stops {@code server} synchronously: it handles the messages queued ahead of the request (a
     * suspended server takes the request at once), runs {@code terminate(reason, state)} and
     * exits with {@code reason}. Returns once the process is dead and its name free.
     *
     * @param server a pid, or a name resolved now
     * @param reason what {@code terminate} receives and the server exits with; not null
     * @param timeout how long to wait for the exit; {@link Proc#INFINITY} waits forever
     * @throws NoProcException no live process under {@code server}
     * @throws CallTimeoutException it did not stop within {@code timeout}: it is left running, and
     *     still stops when it reaches the stop request, as in OTP
     * @throws ServerExitedException it exited with another reason (its {@code terminate} threw,
     *     or it died of something else first)
     * @throws CallingSelfException a server tried to stop itself (return a {@code stop} result
     *     instead)
     * @throws CallInterruptedException a plain calling thread was interrupted
     * @throws NullPointerException {@code server}, {@code reason} or {@code timeout} is null
     * @throws IllegalArgumentException {@code timeout} is negative
     */
    static void stop(ServerRef server, ExitReason reason, Duration timeout) {
        GenServerClient.stop(server, reason, timeout);
    }

    /**
     * Looks up the process {@code name} denotes now: a snapshot, which a later exit or
     * re-registration can make stale.
     *
     * @param name a pid, or a name (a via-name is resolved through its registry, on the calling
     *     thread)
     * @return the live process {@code name} denotes, if any
     * @throws NullPointerException if {@code name} is null
     */
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
