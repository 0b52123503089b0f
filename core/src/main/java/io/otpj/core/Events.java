package io.otpj.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * otpj's JDK Flight Recorder events, category {@code otpj}. They cost nothing measurable unless a
 * recording enables them: JFR leaves an event class uninstrumented until a recording exists, its
 * methods are then empty and the JIT removes the event object; with a recording running and the
 * event disabled, each site is one read of a static flag. The per-message events
 * ({@code io.otpj.SlowCallback}, {@code io.otpj.LongCallWait}, {@code io.otpj.MailboxHighWater})
 * are disabled by default: a recording turns them on by name (e.g. {@code
 * jfr configure io.otpj.SlowCallback#enabled=true} or {@code RecordingStream.enable}). The rare
 * ones ({@code io.otpj.ProcessCrash}, {@code io.otpj.Zombie}) are enabled by default, as JDK events
 * of their kind are. Events carry pids, names, behaviour classes, message classes and exit
 * reasons, never a message's or a state's content (a crash's reason is the exit reason's text, the
 * same the crash report logs).
 *
 * <p>The supervisor module adds {@code io.otpj.SupervisorRestart} and
 * {@code io.otpj.RestartIntensityReached}. {@code docs/observability.md} lists them all.
 */
final class Events {

    private Events() {}

    /**
     * A process crashed: a GenServer or gen_statem whose crash report is written (an exception, a
     * stop with an unclean reason, a failed init), or a plain process ended by an exception.
     */
    @Name("io.otpj.ProcessCrash")
    @Label("Process Crash")
    @Category("otpj")
    @Description("A process crashed: a behaviour's crash report, or a plain process's uncaught exception")
    @StackTrace(false)
    static final class ProcessCrash extends Event {
        @Label("Pid") String pid;
        @Label("Name") String name;
        @Label("Behaviour") @Description("The GenServer or gen_statem class, or empty for a plain process") String behaviour;
        @Label("Reason") String reason;
        @Label("Exception") Class<?> exception;
    }

    /** A callback (handleCall, handleCast, handleInfo, a state function...) ran longer than the threshold. */
    @Name("io.otpj.SlowCallback")
    @Label("Slow Callback")
    @Category("otpj")
    @Description("A behaviour callback ran longer than the threshold")
    @Enabled(false)
    @Threshold("100 ms")
    @StackTrace(false)
    static final class SlowCallback extends Event {
        @Label("Pid") String pid;
        @Label("Name") String name;
        @Label("Behaviour") String behaviour;
        @Label("Callback") String callback;
        @Label("Message Type") @Description("The class of the message handled, not its content") Class<?> messageType;
    }

    /** A call waited for its reply longer than the threshold (answered, timed out or failed). */
    @Name("io.otpj.LongCallWait")
    @Label("Long Call Wait")
    @Category("otpj")
    @Description("A call waited for its reply longer than the threshold")
    @Enabled(false)
    @Threshold("1 s")
    @StackTrace(true)
    static final class LongCallWait extends Event {
        @Label("Caller") @Description("The calling process, or empty for a plain thread") String caller;
        @Label("Server") String server;
        @Label("Request Type") Class<?> requestType;
        @Label("Timeout") @Timespan(Timespan.MILLISECONDS) long timeout;
        @Label("Outcome") @Description("reply, timeout, exited, interrupted or overloaded") String outcome;
    }

    /**
     * A process found its own mailbox at or above the high-water mark ({@code
     * -Dotpj.jfr.mailboxHighWater}, default 1,000 messages), looked at every 64 of its operations,
     * at most once a second per process.
     */
    @Name("io.otpj.MailboxHighWater")
    @Label("Mailbox High Water")
    @Category("otpj")
    @Description("A process's mailbox held at least the high-water mark of messages")
    @Enabled(false)
    @StackTrace(false)
    static final class MailboxHighWater extends Event {
        @Label("Pid") String pid;
        @Label("Name") String name;
        @Label("Length") int length;
        @Label("High Water") int highWater;
    }

    /** A killed process whose thread still runs after the grace period (see {@link Zombies}). */
    @Name("io.otpj.Zombie")
    @Label("Zombie Process")
    @Category("otpj")
    @Description("A killed process whose thread had not ended after the grace period")
    @StackTrace(false)
    static final class Zombie extends Event {
        @Label("Pid") String pid;
        @Label("Name") String name;
        @Label("Exit Reason") String exitReason;
        @Label("Thread State") String threadState;
    }

    /** {@link MailboxHighWater}'s mark: {@code -Dotpj.jfr.mailboxHighWater}, at least 1. */
    static final int HIGH_WATER = Math.max(1, Integer.getInteger("otpj.jfr.mailboxHighWater", 1_000));

    /** How often one process may report its high water: once a second, in {@link Waiter#ticks}. */
    static final int HIGH_WATER_EVERY_TICKS = 1_000_000_000 >>> Waiter.TICK_SHIFT;

    /** @return {@code o}'s text for an event field, or empty for null */
    static String text(Object o) {
        return switch (o) {
            case null -> "";
            case io.otpj.core.Name.Local l -> String.valueOf(l.key()); // as the listing shows a local name
            default -> String.valueOf(o);
        };
    }

    /** Emits {@link ProcessCrash} for {@code p}'s exit with {@code reason}, if a recording wants it. */
    static void crashed(Pcb p, Object name, String behaviour, ExitReason reason) {
        ProcessCrash e = new ProcessCrash();
        if (e.isEnabled()) {
            e.pid = p.pid.toString();
            e.name = text(name);
            e.behaviour = behaviour;
            e.reason = describe(reason);
            e.exception = reason instanceof ExitReason.Crash c ? c.cause().getClass() : null;
            e.commit();
        }
    }

    /** @return the reason's text, or its class if its {@code toString} throws */
    static String describe(ExitReason reason) {
        try {
            return String.valueOf(reason);
        } catch (RuntimeException | StackOverflowError broken) {
            return reason.getClass().getName();
        }
    }
}
