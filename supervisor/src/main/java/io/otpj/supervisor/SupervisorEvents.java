package io.otpj.supervisor;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import java.time.Duration;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The supervisors' JDK Flight Recorder events, category {@code otpj} beside core's: a child
 * restarted, and a supervisor giving up at its restart intensity. Both are enabled by default
 * (rare, as a crash is) and cost nothing unless a recording runs. They carry pids, child ids and
 * exit reasons (as the log lines do), never a child's state.
 */
final class SupervisorEvents {

    private SupervisorEvents() {}

    /** A supervisor restarted a child. */
    @Name("io.otpj.SupervisorRestart")
    @Label("Supervisor Restart")
    @Category("otpj")
    @Description("A supervisor restarted a child that exited")
    @StackTrace(false)
    static final class Restart extends Event {
        @Label("Supervisor") String supervisor;
        @Label("Child Id") String childId;
        @Label("Old Pid") String oldPid;
        @Label("New Pid") String newPid;
        @Label("Reason") @Description("The exit reason of the child that was restarted") String reason;
        @Label("Strategy") String strategy;
    }

    /** A supervisor reached its restart intensity and stops (its own supervisor sees {@code shutdown}). */
    @Name("io.otpj.RestartIntensityReached")
    @Label("Restart Intensity Reached")
    @Category("otpj")
    @Description("A supervisor had more restarts than its intensity allows and gives up")
    @StackTrace(false)
    static final class IntensityReached extends Event {
        @Label("Supervisor") String supervisor;
        @Label("Child Id") String childId;
        @Label("Child Reason") String childReason;
        @Label("Max Restarts") int maxRestarts;
        @Label("Max Period") @Timespan(Timespan.MILLISECONDS) long maxPeriod;
    }

    static void restarted(Pid supervisor, Object childId, Pid oldPid, Pid newPid, ExitReason reason, Object strategy) {
        Restart e = new Restart();
        if (e.isEnabled()) {
            e.supervisor = String.valueOf(supervisor);
            e.childId = String.valueOf(childId);
            e.oldPid = String.valueOf(oldPid);
            e.newPid = String.valueOf(newPid);
            e.reason = String.valueOf(reason);
            e.strategy = String.valueOf(strategy);
            e.commit();
        }
    }

    static void gaveUp(Pid supervisor, Object childId, ExitReason childReason, int maxRestarts, Duration maxPeriod) {
        IntensityReached e = new IntensityReached();
        if (e.isEnabled()) {
            e.supervisor = String.valueOf(supervisor);
            e.childId = String.valueOf(childId);
            e.childReason = String.valueOf(childReason);
            e.maxRestarts = maxRestarts;
            e.maxPeriod = maxPeriod.toMillis();
            e.commit();
        }
    }
}
