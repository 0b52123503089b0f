package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound of one bounded mailbox ({@link MailboxLimit}) and its counters. Only bounded
 * processes have one: for the others {@link Mailbox#bounds} is null and a send pays one null test.
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>writer</th><th>readers</th><th>access</th><th>why</th></tr>
 *   <tr><td>{@code limit}</td><td>constructor</td><td>senders</td><td>final</td><td>the bound</td></tr>
 *   <tr><td>{@code peak}</td><td>senders (CAS, only upwards)</td><td>anyone</td><td>volatile</td>
 *       <td>the longest seen</td></tr>
 *   <tr><td>{@code dropped}, {@code crossings}</td><td>senders (atomic add)</td><td>anyone</td>
 *       <td>volatile</td><td>counters</td></tr>
 *   <tr><td>{@code above}</td><td>senders (CAS 0 to 1 when the mark is reached; plain set to 0
 *       under half of it)</td><td>senders, anyone</td><td>volatile</td><td>one report per
 *       crossing: only the CAS winner logs</td></tr>
 * </table>
 * No ordering is needed among these: each is a statistic read on its own; the messages themselves
 * are ordered by the queue.
 */
final class MailboxBounds {

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.Mailbox");
    static final ExitReason MAILBOX_FULL = ExitReason.of("mailbox_full");

    private static final VarHandle PEAK, DROPPED, CROSSINGS, ABOVE;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PEAK = l.findVarHandle(MailboxBounds.class, "peak", int.class);
            DROPPED = l.findVarHandle(MailboxBounds.class, "dropped", long.class);
            CROSSINGS = l.findVarHandle(MailboxBounds.class, "crossings", long.class);
            ABOVE = l.findVarHandle(MailboxBounds.class, "above", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final MailboxLimit limit;
    private volatile int peak;
    private volatile long dropped;
    private volatile long crossings;
    private volatile int above;

    MailboxBounds(MailboxLimit limit) {
        this.limit = limit;
    }

    /**
     * Decides whether {@code message} may join {@code owner}'s queue {@code q}. Any sender thread,
     * before its offer. A refused call is failed at once (DROP); a full KILL mailbox kills its
     * owner. Deaths and the machine's own timeouts are always admitted.
     */
    boolean admit(Pcb owner, MessagePassingQueue<Object> q, Object message) {
        if (message instanceof Down || message instanceof Exit || message instanceof Mailbox.Unbounded) {
            return true;
        }
        int n = q.size();
        if (n >= limit.max()) {
            if (limit.overflow() == MailboxLimit.Overflow.KILL) {
                if (owner.die(MAILBOX_FULL)) {
                    LOG.warn("mailbox_full pid={} max={} action=killed", owner.pid, limit.max());
                }
                return false;
            }
            long d = (long) DROPPED.getAndAdd(this, 1L);
            if (d == 0) {
                LOG.warn("mailbox_full pid={} max={} action=dropping (counted in Proc.mailboxStats; logged once)", owner.pid,
                        limit.max());
            }
            if (message instanceof From call) {
                call.complete(Completion.OVERLOADED); // no caller waits for a request never queued
            }
            return false;
        }
        int len = n + 1;
        int p = peak;
        while (len > p && !PEAK.weakCompareAndSet(this, p, len)) {
            p = peak;
        }
        if (len >= limit.highWater()) {
            if (above == 0 && ABOVE.compareAndSet(this, 0, 1)) {
                long c = (long) CROSSINGS.getAndAdd(this, 1L) + 1;
                LOG.warn("mailbox_high_water pid={} length={} high_water={} max={} crossings={}", owner.pid, len,
                        limit.highWater(), limit.max(), c);
            }
        } else if (above != 0 && len <= limit.highWater() / 2) {
            above = 0;
        }
        return true;
    }

    MailboxStats stats(int length) {
        return new MailboxStats(length, limit, peak, dropped, crossings, above != 0);
    }
}
