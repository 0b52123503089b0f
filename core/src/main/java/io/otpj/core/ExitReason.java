package io.otpj.core;

import java.util.Objects;

/**
 * Why a process exited: the Java form of an Erlang exit reason.
 *
 * <p>The variants mirror OTP: {@link Normal normal}, {@link Shutdown shutdown},
 * {@link ShutdownWith {shutdown, term}}, {@link Kill kill} (the untrappable signal one
 * <em>sends</em>), {@link Killed killed} (what a killed process and its links
 * <em>receive</em>), {@link NoProc noproc}, {@link Timeout timeout}, {@link Crash a crash}
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

    /** {@code {shutdown, term}}: orderly shutdown with detail. Logs no crash report. */
    record ShutdownWith(Object term) implements ExitReason {
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

    /** A call did not get its reply in time. */
    record Timeout() implements ExitReason {
        @Override public String toString() { return "timeout"; }
    }

    /** The process crashed: a callback or the process body threw {@code cause}. */
    record Crash(Throwable cause) implements ExitReason {
        public Crash {
            Objects.requireNonNull(cause, "crash cause must not be null");
        }
        @Override public String toString() { return "{crash, " + cause + "}"; }
    }

    /**
     * A callback returned a value that is not a valid result (for example {@code null});
     * {@code callback} names it, {@code value} is what it returned.
     */
    record BadReturnValue(String callback, Object value) implements ExitReason {
        public BadReturnValue {
            Objects.requireNonNull(callback, "callback");
        }
        @Override public String toString() { return "{bad_return_value, " + callback + " returned " + value + "}"; }
    }

    /** A start found its name already registered to the live process {@code pid}. */
    record AlreadyStarted(Pid pid) implements ExitReason {
        public AlreadyStarted {
            Objects.requireNonNull(pid, "pid");
        }
        @Override public String toString() { return "{already_started, " + pid + "}"; }
    }

    /** Any other reason: a user term such as {@code "calling_self"} or an error record. */
    record Term(Object term) implements ExitReason {
        public Term {
            Objects.requireNonNull(term, "exit term must not be null");
        }
        @Override public String toString() { return String.valueOf(term); }
    }

    /** @return the {@code normal} reason */
    static ExitReason normal() { return Reasons.NORMAL; }

    /** @return the {@code shutdown} reason */
    static ExitReason shutdown() { return Reasons.SHUTDOWN; }

    /** @return {@code {shutdown, term}}; throws {@link NullPointerException} for a null term */
    static ExitReason shutdown(Object term) { return new ShutdownWith(term); }

    /** @return the untrappable {@code kill} signal */
    static ExitReason kill() { return Reasons.KILL; }

    /** @return {@code killed} */
    static ExitReason killed() { return Reasons.KILLED; }

    /** @return {@code noproc} */
    static ExitReason noproc() { return Reasons.NOPROC; }

    /** @return {@code timeout} */
    static ExitReason timeout() { return Reasons.TIMEOUT; }

    /** @return a crash caused by {@code cause} */
    static ExitReason crash(Throwable cause) { return new Crash(cause); }

    /**
     * Wraps a user term. An {@code ExitReason} passed in is returned as it is, so
     * {@code of(ExitReason.normal())} is {@code normal}.
     */
    static ExitReason of(Object term) {
        return term instanceof ExitReason r ? r : new Term(term);
    }

    /**
     * Whether this reason is one of the "clean" reasons that OTP does not report:
     * {@code normal}, {@code shutdown} or {@code {shutdown, _}}. A supervisor restarts a
     * {@code transient} child only when this is {@code false}.
     */
    default boolean isClean() {
        return this instanceof Normal || this instanceof Shutdown || this instanceof ShutdownWith;
    }
}
