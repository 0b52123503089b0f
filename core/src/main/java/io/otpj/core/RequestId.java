package io.otpj.core;

import java.time.Duration;
import java.util.Optional;

/**
 * A call request sent with {@link GenServer#sendRequest} whose reply is collected later: Erlang's
 * {@code gen_server:send_request/2} with {@code receive_response/2} and {@code check_response}.
 *
 * <p>The same failure rules as {@link GenServer#call} apply: the server's death fails the
 * request at once with {@link ServerExitedException}; a reply that comes after
 * {@link #await} timed out is dropped. Await it from the thread that sent it: that is the
 * thread the reply wakes.
 *
 * @param <R> the expected reply type
 */
public final class RequestId<R> {

    private final From from;
    private final ServerRef server;

    RequestId(From from, ServerRef server) {
        this.from = from;
        this.server = server;
    }

    /**
     * Waits for the reply.
     *
     * @param timeout how long to wait; {@link Proc#INFINITY} waits forever (the server's death
     *     still ends the wait); {@link Duration#ZERO} gives up at once if no reply is in
     *     ({@link #poll} checks without giving up)
     * @return the reply, which may be null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws CallTimeoutException no reply within {@code timeout}; the request is abandoned, and
     *     every later {@code await} or {@link #poll} throws this again
     * @throws ServerExitedException the server exited before replying
     * @throws IllegalStateException called from another thread than the sender's
     * @throws CallInterruptedException the sender is a plain thread and was interrupted while it
     *     waited; the request is abandoned, as on a timeout
     */
    public R await(Duration timeout) {
        if (Thread.currentThread() != from.waiter) {
            throw new IllegalStateException("a request must be awaited by the thread that sent it");
        }
        return GenServerClient.outcome(from, server, Proc.toNanos(timeout, "timeout"));
    }

    /**
     * Checks for the reply without waiting. Unlike {@link #await}, it may be called from any
     * thread.
     *
     * @return the reply if it has arrived, or empty if it has not (the request stays pending);
     *     a reply of {@code null} also reads as empty: use {@link #await} to tell them apart
     * @throws ServerExitedException the server exited before replying
     * @throws CallTimeoutException the request was abandoned by an earlier {@link #await} that timed
     *     out or was interrupted
     */
    public Optional<R> poll() {
        Object o = from.outcome();
        if (o == Completion.PENDING) {
            if (!from.server.settled) {
                return Optional.empty();
            }
            from.complete(new Completion.Failed(from.server.exitReason));
        }
        return Optional.ofNullable(GenServerClient.outcome(from, server, 0));
    }

    @Override
    public String toString() {
        return "#RequestId<" + server + ">";
    }
}
