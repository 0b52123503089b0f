package io.otpj.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Killed processes whose threads go on running: the JVM cannot stop a thread that ignores its
 * interrupt and never calls otpj (a busy loop, a {@code synchronized} block it waits for,
 * uninterruptible I/O). Such a process is dead to everyone, but it keeps its carrier, its CPU, its
 * locks and its queued mailbox until its code returns.
 *
 * <p>A process ended by another thread is checked once, {@code otpj.zombieGraceMillis} (default
 * 5000) after its death: if its thread is still running then, it is reported once at WARN, with
 * its pid, the name it had and the stack its thread is on, and listed by {@link Proc#zombies()}
 * until its thread ends (logged at INFO). Thread-safe.
 */
final class Zombies {

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.Process");
    static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(Long.getLong("otpj.zombieGraceMillis", 5_000L));
    /** Reported processes whose threads have not ended yet, with their reports' time. */
    private static final ConcurrentHashMap<Pcb, Long> REPORTED = new ConcurrentHashMap<>();

    private Zombies() {}

    /** The tail of a death decided by another thread: check the thread after the grace period. */
    static void watch(Pcb p, Object name) {
        if (p.thread == null) {
            return;
        }
        Timers.housekeeping(() -> check(p, name), GRACE_NANOS);
    }

    private static void check(Pcb p, Object name) {
        Thread t = p.thread;
        if (t == null) {
            return;
        }
        try {
            Throwable where = new Throwable("stack of the zombie's thread " + t);
            where.setStackTrace(t.getStackTrace());
            LOG.warn("zombie pid={} name={} exit_reason={} grace_ms={}: killed, but its thread is still running"
                    + " (busy loop, lock or uninterruptible call); it keeps its carrier until it returns",
                    p.pid, name, p.exitReason, TimeUnit.NANOSECONDS.toMillis(GRACE_NANOS), where);
        } catch (RuntimeException e) {
            LOG.warn("zombie pid={} name={}: killed, but its thread is still running", p.pid, name);
        }
        // Listed after the report, so whoever sees it listed finds the report written.
        REPORTED.put(p, System.nanoTime());
        if (p.thread == null) {
            // Ended meanwhile: its end() may have looked before our put.
            REPORTED.remove(p);
        }
    }

    /** The process's thread has ended. */
    static void ended(Pcb p) {
        if (!REPORTED.isEmpty() && REPORTED.remove(p) != null) {
            LOG.info("zombie_ended pid={} exit_reason={}: its thread has ended", p.pid, p.exitReason);
        }
    }

    /** @return the pids of the processes reported and still running, oldest report first */
    static List<Pid> list() {
        List<Pcb> ps = new ArrayList<>(REPORTED.keySet());
        ps.sort((a, b) -> Long.compare(REPORTED.getOrDefault(a, 0L), REPORTED.getOrDefault(b, 0L)));
        List<Pid> out = new ArrayList<>(ps.size());
        for (Pcb p : ps) {
            out.add(p.pid);
        }
        return out;
    }
}
