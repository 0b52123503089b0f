package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;

/**
 * The supervisors' JFR events through a {@link RecordingStream}: a restart is recorded with the
 * old and new pid and the reason, and giving up at the intensity is recorded with its limits.
 * Waits are on the events (at most 30 s); a missing one fails.
 */
class SupervisorJfrEventsTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void restartsAndGivingUpAreRecorded() throws InterruptedException {
        List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
        LinkedBlockingQueue<RecordedEvent> arrivals = new LinkedBlockingQueue<>();
        try (RecordingStream rs = new RecordingStream()) {
            for (String n : List.of("io.otpj.SupervisorRestart", "io.otpj.RestartIntensityReached")) {
                rs.enable(n);
                rs.onEvent(n, e -> {
                    seen.add(e);
                    arrivals.add(e);
                });
            }
            rs.startAsync();
            Events ev = new Events();
            Pid[] first = new Pid[1];
            Pid[] supervisor = new Pid[1];
            Procs.inProcess(() -> {
                Pid sup = Supervisor.start(SupervisorFlags.oneForOne().withIntensity(1, Duration.ofHours(1)),
                        List.of(Worker.spec("victim", ev))).pid();
                supervisor[0] = sup;
                var ref = Proc.monitor(sup);
                first[0] = Supervisor.whichChildren(sup).getFirst().pid().orElseThrow();
                Proc.exit(first[0], ExitReason.of("boom"));
                Pid second = Supervisor.whichChildren(sup).getFirst().pid().orElseThrow();
                assertNotEquals(first[0], second);
                Proc.exit(second, ExitReason.of("again"));
                assertEquals(ExitReason.shutdown(), Procs.awaitDown(ref));
            });
            RecordedEvent restart = await(seen, arrivals, "io.otpj.SupervisorRestart",
                    e -> first[0].toString().equals(e.getString("oldPid")));
            assertEquals(supervisor[0].toString(), restart.getString("supervisor"));
            assertEquals("victim", restart.getString("childId"));
            assertTrue(restart.getString("reason").contains("boom"), restart.getString("reason"));
            RecordedEvent gaveUp = await(seen, arrivals, "io.otpj.RestartIntensityReached",
                    e -> supervisor[0].toString().equals(e.getString("supervisor")));
            assertEquals(1, gaveUp.getInt("maxRestarts"));
            assertEquals(Duration.ofHours(1).toMillis(), gaveUp.getLong("maxPeriod"));
            assertTrue(gaveUp.getString("childReason").contains("again"), gaveUp.getString("childReason"));
        }
    }

    private static RecordedEvent await(List<RecordedEvent> seen, LinkedBlockingQueue<RecordedEvent> arrivals,
            String name, Predicate<RecordedEvent> which) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        for (long left = WAIT.toNanos(); left > 0; left = end - System.nanoTime()) {
            for (RecordedEvent e : seen) {
                if (e.getEventType().getName().equals(name) && which.test(e)) {
                    return e;
                }
            }
            arrivals.poll(left, TimeUnit.NANOSECONDS);
        }
        throw new AssertionError("no " + name + " event within " + WAIT + "; seen: " + seen);
    }
}
