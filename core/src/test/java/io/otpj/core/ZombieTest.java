package io.otpj.core;

import static io.otpj.core.Probe.WAIT;
import static io.otpj.core.Probe.get;
import static io.otpj.core.Probe.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 9: what {@code kill} cannot do is made observable. A killed process whose thread goes on
 * running (a busy loop that never calls otpj) is dead to everyone at once, is reported once at
 * WARN with its pid, name and thread state (and its stack with {@code -Dotpj.zombieStacks=true})
 * when the grace period has passed (core's tests run with
 * {@code -Dotpj.zombieGraceMillis=300}), and is listed by {@link Proc#zombies()} until its thread
 * ends.
 */
@Timeout(120)
class ZombieTest {

    /** A loop that ignores interrupts and never calls otpj: only its flag ends it. */
    private static void busyUntil(AtomicBoolean stop) {
        while (!stop.get()) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aKilledBusyLoopIsReportedOnceAndListedUntilItsThreadEnds() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch looping = new CountDownLatch(1);
        String name = "zombie-" + System.nanoTime();
        try (LogCapture log = new LogCapture()) {
            Pid z = Proc.spawn(() -> {
                looping.countDown();
                busyUntil(stop);
            });
            Proc.register(name, z);
            Probe.await(looping);
            Thread thread = z.pcb.thread;
            CompletableFuture<ExitReason> down = Probe.watch(z);
            Proc.exit(z, ExitReason.kill());
            assertEquals(ExitReason.killed(), get(down), "dead to everyone at once");
            assertTrue(Proc.whereis(name).isEmpty(), "its name is released at once");
            Probe.until(() -> Proc.zombies().contains(z), WAIT, "the killed busy loop was never listed as a zombie");
            List<String> warned = log.lines("zombie", z);
            assertEquals(1, warned.size(), warned.toString());
            assertTrue(warned.getFirst().contains("name=" + name), warned.getFirst());
            assertTrue(warned.getFirst().contains("thread_state=RUNNABLE"), warned.getFirst());
            assertFalse(log.text().contains("at io.otpj.core.ZombieTest.busyUntil"),
                    "no stack by default: snapshotting a running virtual thread can crash JDK 25.0.x");
            stop.set(true);
            assertTrue(thread.join(WAIT), "the zombie's thread did not end");
            assertFalse(Proc.zombies().contains(z), "listed after its thread ended");
            assertEquals(1, log.lines("zombie_ended", z).size());
            assertEquals(1, log.lines("zombie", z).size(), "reported more than once");
        } finally {
            stop.set(true);
        }
    }

    /** With {@code -Dotpj.zombieStacks=true} the report carries the stack the zombie's thread is on. */
    @Test
    void withZombieStacksOnTheReportCarriesTheStack() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch looping = new CountDownLatch(1);
        Zombies.stacks = true;
        try (LogCapture log = new LogCapture()) {
            Pid z = Proc.spawn(() -> {
                looping.countDown();
                busyUntil(stop);
            });
            Probe.await(looping);
            Thread thread = z.pcb.thread;
            Proc.exit(z, ExitReason.kill());
            Probe.until(() -> Proc.zombies().contains(z), WAIT, "the killed busy loop was never listed as a zombie");
            assertTrue(log.text().contains("at io.otpj.core.ZombieTest.busyUntil"), "the report has the zombie's stack");
            stop.set(true);
            assertTrue(thread.join(WAIT), "the zombie's thread did not end");
        } finally {
            Zombies.stacks = Boolean.getBoolean("otpj.zombieStacks");
            stop.set(true);
        }
    }

    /** A killed process that unwinds in time is never reported. */
    @Test
    void aKilledProcessThatUnwindsIsNoZombie() {
        try (LogCapture log = new LogCapture()) {
            Pid p = Probe.idle();
            CompletableFuture<ExitReason> down = Probe.watch(p);
            Proc.exit(p, ExitReason.kill());
            get(down);
            join(p);
            assertFalse(Proc.zombies().contains(p));
            assertEquals(List.of(), log.lines("zombie", p));
        }
    }
}
