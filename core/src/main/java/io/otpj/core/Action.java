package io.otpj.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What a GenServer does after a callback, besides waiting for the next message: the optional
 * last element of Erlang's result tuples ({@code timeout}, {@code hibernate},
 * {@code {continue, arg}}).
 */
public sealed interface Action {

    /** Just wait for the next message. */
    record None() implements Action {}

    /**
     * Arm an idle timer: if no message arrives within {@code after}, {@code handleInfo} receives
     * {@link IdleTimeout}. Any message cancels it. {@link Proc#INFINITY} is the same as no timer.
     * A system request ({@link Sys}) is the exception: the timer starts again after it, and
     * none runs while the server is suspended.
     *
     * @param after how long to wait for a message: {@link Duration#ZERO} times out at once
     *     unless a message is already queued; {@link Proc#INFINITY}, or anything too long to count
     *     in nanoseconds, waits forever
     */
    record Timeout(Duration after) implements Action {
        /**
         * Creates an idle timeout.
         *
         * @throws NullPointerException if {@code after} is null
         * @throws IllegalArgumentException if {@code after} is negative
         */
        public Timeout {
            Objects.requireNonNull(after, "timeout");
            Proc.toNanos(after, "timeout");
        }
    }

    /**
     * Hibernate until the next message, as {@code erlang:hibernate/3}: the process's virtual
     * thread ends, and the process lives on without one, keeping its pid, registered name, links,
     * monitors, mailbox, trap-exit flag and state. Its next message, timer, system request, exit
     * signal or kill starts a new virtual thread, which continues the loop: the waking message is
     * handled as any other, a trapped exit signal runs {@code terminate} as usual, and a kill
     * fires the DOWNs and exit signals as for any process. A hibernated GenServer keeps about
     * 500 bytes of heap instead of about 1,400 (the stack, the thread and its bindings go), and
     * each wake costs a thread start (a few hundred nanoseconds): hibernate servers that are
     * idle for long, not busy ones.
     *
     * <p>What does not survive a wake: the thread's identity ({@code Thread.currentThread()}
     * differs from one wake to the next), its {@link ThreadLocal}s, slf4j's MDC (which lives in
     * a thread local), and an interrupt status the server's own code left set. A suspended
     * server ({@link Sys#suspend}) hibernates by releasing only its receive buffer: it keeps its
     * thread until it is resumed. Listed as {@link NodeProcess.Status#HIBERNATED} while it has no
     * thread.
     */
    record Hibernate() implements Action {}

    /**
     * Run {@code handleContinue(arg, state)} before any message, even one already queued.
     *
     * @param arg what {@code handleContinue} receives
     */
    record Continue(Object arg) implements Action {
        /**
         * Creates a continue.
         *
         * @throws NullPointerException if {@code arg} is null
         */
        public Continue {
            Objects.requireNonNull(arg, "continue argument must not be null");
        }
    }

    /**
     * Waits for the next message, with no timer ({@link None}).
     *
     * @return no action (a shared instance)
     */
    static Action none() { return Actions.NONE; }

    /**
     * An idle timeout ({@link Timeout}).
     *
     * @param after how long to wait for a message before {@code handleInfo} receives
     *     {@link IdleTimeout}; {@link Proc#INFINITY} waits forever
     * @return an idle timeout; a negative duration throws {@link IllegalArgumentException}, a
     *     null one {@link NullPointerException}
     */
    static Action timeout(Duration after) { return new Timeout(after); }

    /**
     * Hibernates while waiting ({@link Hibernate}).
     *
     * @return hibernate (a shared instance)
     */
    static Action hibernate() { return Actions.HIBERNATE; }

    /**
     * Runs {@code handleContinue(arg, state)} next ({@link Continue}).
     *
     * @param arg what {@code handleContinue} receives; not null
     * @return continue with {@code arg}
     */
    static Action continueWith(Object arg) { return new Continue(arg); }
}
