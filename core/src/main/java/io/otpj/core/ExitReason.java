package io.otpj.core;

import java.util.Objects;

/**
 * Why a process exited: the Java form of an Erlang exit reason.
 *
 * <p>The variants mirror OTP: {@link Normal normal}, {@link Shutdown shutdown},
 * {@link ShutdownWith {shutdown, term}}, {@link Kill kill} (the untrappable signal one
 * <em>sends</em>), {@link Killed killed} (what a killed process and its links
 * <em>receive</em>), {@link NoProc noproc}, {@link NoConnection noconnection} (a process on a
 * node this one lost), {@link Timeout timeout}, {@link Crash a crash}
 * carrying the exception, {@link BadReturnValue bad_return_value} (a callback returned
 * something that is not a valid result, such as {@code null}), {@link AlreadyStarted
 * {already_started, pid}} (a start found its name taken) and {@link Term any other term}.
 *
 * <p>Reasons are immutable values compared with {@code equals}; they are safe to share
 * between threads. Use the static factories: {@code ExitReason.normal()},
 * {@code ExitReason.shutdown(term)}, {@code ExitReason.of(term)}.
 */
public sealed interface ExitReason {

    /** The process finished its work. Never kills a linked process; logs no crash report. */
    record Normal() implements ExitReason {
        @Override public String toString() { return "normal"; }
    }

    /** Orderly shutdown, usually from a supervisor. Logs no crash report. */
    record Shutdown() implements ExitReason {
        @Override public String toString() { return "shutdown"; }
    }

    /**
     * {@code {shutdown, term}}: orderly shutdown with detail. Logs no crash report.
     *
     * @param term the detail, compared with {@code equals}
     */
    record ShutdownWith(Object term) implements ExitReason {
        /**
         * Creates {@code {shutdown, term}}.
         *
         * @throws NullPointerException if {@code term} is null
         */
        public ShutdownWith {
            Objects.requireNonNull(term, "shutdown term must not be null");
        }
        @Override public String toString() { return "{shutdown, " + term + "}"; }
    }

    /**
     * The untrappable kill signal. Sent with {@link Proc#exit(Pid, ExitReason)}; the target
     * dies with {@link Killed}, and its links receive {@code killed}.
     */
    record Kill() implements ExitReason {
        @Override public String toString() { return "kill"; }
    }

    /** The reason of a process that was sent {@link Kill}. */
    record Killed() implements ExitReason {
        @Override public String toString() { return "killed"; }
    }

    /** The process did not exist (or was already dead) when it was linked, monitored or called. */
    record NoProc() implements ExitReason {
        @Override public String toString() { return "noproc"; }
    }

    /**
     * The process is on another node and the connection to that node is gone (the node left,
     * crashed or is cut off): what its monitors, links and callers get, as in Erlang. The process
     * may still be running there; nothing more is known about it from this node.
     */
    record NoConnection() implements ExitReason {
        @Override public String toString() { return "noconnection"; }
    }

    /** A call did not get its reply in time. */
    record Timeout() implements ExitReason {
        @Override public String toString() { return "timeout"; }
    }

    /**
     * The process crashed: a callback or the process body threw {@code cause}.
     *
     * @param cause what was thrown; two crashes are equal when their causes are, which for an
     *     exception class that does not override {@code equals} means the same object
     */
    record Crash(Throwable cause) implements ExitReason {
        /**
         * Creates a crash reason.
         *
         * @throws NullPointerException if {@code cause} is null
         */
        public Crash {
            Objects.requireNonNull(cause, "crash cause must not be null");
        }
        @Override public String toString() { return "{crash, " + cause + "}"; }
    }

    /**
     * A callback returned a value that is not a valid result (for example {@code null});
     * {@code callback} names it, {@code value} is what it returned.
     *
     * @param callback the name of the callback, such as {@code "handleCall"}
     * @param value what it returned; may be null
     */
    record BadReturnValue(String callback, Object value) implements ExitReason {
        /**
         * Creates a {@code bad_return_value} reason.
         *
         * @throws NullPointerException if {@code callback} is null
         */
        public BadReturnValue {
            Objects.requireNonNull(callback, "callback");
        }
        @Override public String toString() { return "{bad_return_value, " + callback + " returned " + value + "}"; }
    }

    /**
     * A start found its name already registered to the live process {@code pid}.
     *
     * @param pid the process that held the name
     */
    record AlreadyStarted(Pid pid) implements ExitReason {
        /**
         * Creates {@code {already_started, pid}}.
         *
         * @throws NullPointerException if {@code pid} is null
         */
        public AlreadyStarted {
            Objects.requireNonNull(pid, "pid");
        }
        @Override public String toString() { return "{already_started, " + pid + "}"; }
    }

    /**
     * Any other reason: a user term such as {@code "calling_self"} or an error record.
     *
     * @param term the term, compared with {@code equals}; {@link #toString()} prints it as it is
     */
    record Term(Object term) implements ExitReason {
        /**
         * Wraps {@code term} as it is; {@link ExitReason#of(Object)} is the factory that leaves
         * an {@code ExitReason} unwrapped.
         *
         * @throws NullPointerException if {@code term} is null
         */
        public Term {
            Objects.requireNonNull(term, "exit term must not be null");
        }
        @Override public String toString() { return String.valueOf(term); }
    }

    /**
     * Returns {@code normal}.
     *
     * @return the {@code normal} reason
     */
    static ExitReason normal() { return Reasons.NORMAL; }

    /**
     * Returns {@code shutdown}.
     *
     * @return the {@code shutdown} reason
     */
    static ExitReason shutdown() { return Reasons.SHUTDOWN; }

    /**
     * Returns {@code {shutdown, term}}.
     *
     * @param term the detail, compared with {@code equals}
     * @return {@code {shutdown, term}}
     * @throws NullPointerException if {@code term} is null
     */
    static ExitReason shutdown(Object term) { return new ShutdownWith(term); }

    /**
     * Returns {@code kill}.
     *
     * @return the untrappable {@code kill} signal
     */
    static ExitReason kill() { return Reasons.KILL; }

    /**
     * Returns {@code killed}.
     *
     * @return {@code killed}
     */
    static ExitReason killed() { return Reasons.KILLED; }

    /**
     * Returns {@code noproc}.
     *
     * @return {@code noproc}
     */
    static ExitReason noproc() { return Reasons.NOPROC; }

    /**
     * Returns {@code noconnection}.
     *
     * @return {@code noconnection}
     */
    static ExitReason noconnection() { return Reasons.NOCONNECTION; }

    /**
     * Returns {@code timeout}.
     *
     * @return {@code timeout}
     */
    static ExitReason timeout() { return Reasons.TIMEOUT; }

    /**
     * Returns a crash caused by {@code cause}.
     *
     * @param cause what was thrown
     * @return a crash caused by {@code cause}
     * @throws NullPointerException if {@code cause} is null
     */
    static ExitReason crash(Throwable cause) { return new Crash(cause); }

    /**
     * Wraps a user term. An {@code ExitReason} passed in is returned as it is, so
     * {@code of(ExitReason.normal())} is {@code normal}.
     *
     * @param term the term
     * @return {@code term} itself if it is an {@code ExitReason}, otherwise a {@link Term}
     *     wrapping it
     * @throws NullPointerException if {@code term} is null
     */
    static ExitReason of(Object term) {
        return term instanceof ExitReason r ? r : new Term(term);
    }

    /**
     * Whether this reason is one of the "clean" reasons that OTP does not report:
     * {@code normal}, {@code shutdown} or {@code {shutdown, _}}. A supervisor restarts a
     * {@code transient} child only when this is {@code false}.
     *
     * @return {@code true} for {@code normal}, {@code shutdown} and {@code {shutdown, _}};
     *     {@code false} for every other reason, {@code kill} and {@code killed} included
     */
    default boolean isClean() {
        return this instanceof Normal || this instanceof Shutdown || this instanceof ShutdownWith;
    }
}
