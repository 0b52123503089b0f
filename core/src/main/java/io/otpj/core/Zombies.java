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
 * its pid, the name it had and its thread's state, and listed by {@link Proc#zombies()} until its
 * thread ends (logged at INFO). Thread-safe.
 *
 * <p>The report has the stack the thread is on only with {@code -Dotpj.zombieStacks=true}. It is
 * off by default because taking the stack of a running virtual thread from another thread is not
 * safe on JDK 25.0.x: HotSpot's stack snapshot handshake can crash the JVM (seen here: SIGSEGV in
 * {@code GetThreadSnapshotClosure::do_thread} while the zombie was filling in an exception's stack
 * trace; the same family as JDK-8392031 and JDK-8364343, fixed in later JDK builds). A monitoring
 * aid must never take the process down.
 */
final class Zombies {

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.Process");
    static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(Long.getLong("otpj.zombieGraceMillis", 5_000L));
    /** Reported processes whose threads have not ended yet, with their reports' time. */
    private static final ConcurrentHashMap<Pcb, Long> REPORTED = new ConcurrentHashMap<>();
    /**
     * Whether reports carry the zombie's stack ({@code -Dotpj.zombieStacks}); written by tests
     * only, read by the housekeeping thread: volatile.
     */
    static volatile boolean stacks = Boolean.getBoolean("otpj.zombieStacks");

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
            String text = "zombie pid={} name={} exit_reason={} grace_ms={} thread_state={}: killed, but its thread is"
                    + " still running (busy loop, lock or uninterruptible call); it keeps its carrier until it returns";
            long graceMs = TimeUnit.NANOSECONDS.toMillis(GRACE_NANOS);
            if (stacks) {
                Throwable where = new Throwable("stack of the zombie's thread " + t);
                where.setStackTrace(t.getStackTrace());
                LOG.warn(text, p.pid, name, p.exitReason, graceMs, t.getState(), where);
            } else {
                LOG.warn(text, p.pid, name, p.exitReason, graceMs, t.getState());
            }
        } catch (RuntimeException e) {
            LOG.warn("zombie pid={} name={}: killed, but its thread is still running", p.pid, name);
        }
        Events.Zombie z = new Events.Zombie();
        if (z.isEnabled()) {
            z.pid = p.pid.toString();
            z.name = Events.text(name);
            z.exitReason = Events.describe(p.exitReason);
            z.threadState = String.valueOf(t.getState());
            z.commit();
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
