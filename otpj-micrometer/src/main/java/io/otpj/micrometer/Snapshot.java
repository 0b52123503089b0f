package io.otpj.micrometer;

import io.otpj.core.NodeProcess;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One reading of a node's process listing, as the gauges see it until the next one: immutable.
 *
 * @param takenNanos when it was taken, by {@link System#nanoTime()}
 * @param takenAt when it was taken, by the wall clock (compared with JFR events' timestamps)
 * @param byStatus the number of processes in each {@link NodeProcess.Status}, by ordinal
 * @param top the processes with the longest non-empty mailboxes, longest first (ties in pid order), at
 *     most the binder's top N
 * @param queued the messages queued in all the node's mailboxes
 * @param handled the monotonic messages-handled total up to this snapshot (see {@link Snapshots})
 * @param names the local names of the named processes, by the pid's text ({@code <node.id.creation>})
 */
record Snapshot(long takenNanos, Instant takenAt, int[] byStatus, List<NodeProcess> top, long queued, long handled,
        Map<String, String> names) {

    /** The processes of a status. */
    int count(NodeProcess.Status status) {
        return byStatus[status.ordinal()];
    }

    /** The mailbox length at {@code rank} (1 is the longest), or 0 if fewer processes have queued messages. */
    int lengthAt(int rank) {
        return rank <= top.size() ? top.get(rank - 1).mailboxLength() : 0;
    }
}
