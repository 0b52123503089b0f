package io.otpj.core;

import java.util.Objects;

/**
 * A bound on a server's mailbox, opt-in per process ({@link StartOptions#withMailboxLimit}):
 * unbounded stays the default, as in OTP. When a message would make the mailbox longer than
 * {@code max}:
 * <ul>
 *   <li>{@link Overflow#DROP}: a cast or send is dropped and counted
 *       ({@link MailboxStats#dropped()}); a {@code call} fails at once with
 *       {@link MailboxFullException}, so no caller waits for a request that was never queued.</li>
 *   <li>{@link Overflow#KILL}: the process is killed with the reason {@code mailbox_full}, which
 *       it cannot trap (as the BEAM kills a process past its {@code max_heap_size}); its links and
 *       monitors see that reason, and its supervisor restarts it with an empty mailbox.</li>
 * </ul>
 * {@link Down} and {@link Exit} messages and a state machine's own timeout messages are never
 * dropped and never trigger the overflow: the process must learn of deaths and its timeouts
 * whatever its load.
 *
 * <p>The length is read by each sender before it queues its message, so with several senders at
 * once the mailbox can briefly hold up to {@code max + senders - 1} messages: the bound is for
 * shedding load, not an exact capacity. A <em>high-water mark</em> ({@code highWater}, by default
 * three quarters of {@code max}) is reported when the length first reaches it (one WARN line per
 * crossing, {@link MailboxStats#highWaterCrossings()}); it re-arms once the length is back under
 * half of it. Senders pay for the bound only on bounded mailboxes: for the others it is one null
 * test on the send path.
 *
 * @param max the most messages queued; at least 1
 * @param overflow what happens past it
 * @param highWater the length that is reported when reached; between 1 and {@code max}
 */
public record MailboxLimit(int max, Overflow overflow, int highWater) {

    /** What a full bounded mailbox does with one more message. */
    public enum Overflow {
        /** Drop casts and sends (counted); fail calls at once with {@link MailboxFullException}. */
        DROP,
        /** Kill the process with the untrappable reason {@code mailbox_full}. */
        KILL
    }

    /**
     * Checks the bound.
     *
     * @throws IllegalArgumentException if {@code max} is below 1 or {@code highWater} is not
     *     between 1 and {@code max}
     * @throws NullPointerException if {@code overflow} is null
     */
    public MailboxLimit {
        if (max < 1) {
            throw new IllegalArgumentException("mailbox max must be at least 1, got " + max);
        }
        Objects.requireNonNull(overflow, "overflow must not be null");
        if (highWater < 1 || highWater > max) {
            throw new IllegalArgumentException("mailbox highWater must be between 1 and max (" + max + "), got " + highWater);
        }
    }

    /**
     * A bound that drops casts and sends and fails calls past {@code max}.
     *
     * @param max the most messages queued; at least 1
     * @return the bound, its high-water mark at three quarters of {@code max}
     * @throws IllegalArgumentException if {@code max} is below 1
     */
    public static MailboxLimit dropping(int max) {
        return new MailboxLimit(max, Overflow.DROP, defaultHighWater(max));
    }

    /**
     * A bound that kills the process with {@code mailbox_full} past {@code max}.
     *
     * @param max the most messages queued; at least 1
     * @return the bound, its high-water mark at three quarters of {@code max}
     * @throws IllegalArgumentException if {@code max} is below 1
     */
    public static MailboxLimit killing(int max) {
        return new MailboxLimit(max, Overflow.KILL, defaultHighWater(max));
    }

    /**
     * Returns a copy with another high-water mark.
     *
     * @param mark the length to report when reached; between 1 and {@link #max()}
     * @return this bound with {@code mark}
     * @throws IllegalArgumentException if {@code mark} is out of range
     */
    public MailboxLimit withHighWater(int mark) {
        return new MailboxLimit(max, overflow, mark);
    }

    private static int defaultHighWater(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("mailbox max must be at least 1, got " + max);
        }
        return Math.max(1, (int) (max * 3L / 4));
    }
}
