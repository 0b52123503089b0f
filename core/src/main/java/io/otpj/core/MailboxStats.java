package io.otpj.core;

/**
 * What {@link Proc#mailboxStats} reports of a process's mailbox: a snapshot, each number read
 * on its own (they are updated by concurrent senders, so they need not add up exactly).
 *
 * @param length the messages queued now
 * @param limit the bound, or null for an unbounded mailbox (the default); the counters below are
 *     kept for bounded mailboxes only and are 0 otherwise
 * @param peak the longest the mailbox was seen by a sender
 * @param dropped casts and sends dropped and calls refused because it was full
 *     ({@link MailboxLimit.Overflow#DROP})
 * @param highWaterCrossings how often the length reached the high-water mark
 * @param aboveHighWater whether it is at or above the mark (until it is back under half of it)
 */
public record MailboxStats(int length, MailboxLimit limit, int peak, long dropped, long highWaterCrossings,
        boolean aboveHighWater) {}
