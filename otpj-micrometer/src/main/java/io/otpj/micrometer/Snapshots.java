package io.otpj.micrometer;

import io.otpj.core.Node;
import io.otpj.core.NodeProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The node's listing, read at most once per interval, lazily, by whichever gauge (or event handler)
 * wants it first; and the monotonic messages-handled total carried from one listing to the next.
 *
 * <p>Thread-safe: {@link #current()} is a volatile read while the snapshot is fresh; taking a new one
 * is done under this object's lock, so concurrent scrapes take it once.
 *
 * <p>Messages handled: each server's count (since its init) is remembered from one snapshot to the
 * next, by pid id, in two sorted arrays; the total grows by each server's increase since it was last
 * seen, and a server that died keeps what it added. So the total never goes down; it is a lower bound:
 * what a server handled between its last snapshot and its death, and all of a server that lived and
 * died between two snapshots, are not in it.
 */
final class Snapshots {

    /** The ranking: longer mailbox first, then lower pid. */
    private static final Comparator<NodeProcess> LONGEST_FIRST = Comparator
            .comparingInt(NodeProcess::mailboxLength).reversed()
            .thenComparing(NodeProcess::pid);

    /** How much later than an event a snapshot must be taken to be sure it saw what the event saw. */
    private static final Duration CLOCK_MARGIN = Duration.ofMillis(100);

    private final Node node;
    private final long intervalNanos;
    private final int topN;

    private volatile Snapshot current;
    /** The names of the snapshot before {@link #current}: guarded by this. */
    private Map<String, String> previousNames = Map.of();

    /** The servers of the last snapshot, by pid id ascending, with the count last seen: guarded by this. */
    private long[] ids = new long[0];
    private long[] counts = new long[0];
    private int servers;
    /** The monotonic total: guarded by this. */
    private long handled;

    Snapshots(Node node, Duration interval, int topN) {
        this.node = node;
        this.intervalNanos = interval.toNanos();
        this.topN = topN;
    }

    /** The snapshot, taken anew first if there is none or it is older than the interval. */
    Snapshot current() {
        Snapshot s = current;
        if (s != null && System.nanoTime() - s.takenNanos() < intervalNanos) {
            return s;
        }
        synchronized (this) {
            s = current;
            if (s != null && System.nanoTime() - s.takenNanos() < intervalNanos) {
                return s;
            }
            return take();
        }
    }

    /**
     * The local name of a process of this node, by its pid's text: looked up in the last two snapshots,
     * and in a new one if neither knows it and the last was taken before {@code asOf} (so that a name
     * registered since is found, while a process that is unnamed, or died unseen, costs one new
     * listing per batch of events at most).
     *
     * @return the name, or null if the process had none (or was never seen alive with one)
     */
    String nameOf(String pid, Instant asOf) {
        Snapshot s = current();
        String n;
        synchronized (this) {
            n = s.names().get(pid);
            if (n == null) {
                n = previousNames.get(pid);
            }
            // The margin: JFR's timestamps and Instant.now() need not agree to the millisecond.
            if (n == null && current == s && !s.takenAt().isAfter(asOf.plus(CLOCK_MARGIN))) {
                n = take().names().get(pid);
                if (n == null) {
                    n = previousNames.get(pid);
                }
            }
        }
        return n;
    }

    /** Takes a snapshot now: one {@link Node#list()}. Under this object's lock. */
    private Snapshot take() {
        List<NodeProcess> all = node.list(); // in pid order, so in pid id order: one node, one creation
        int[] byStatus = new int[NodeProcess.Status.values().length];
        PriorityQueue<NodeProcess> top = new PriorityQueue<>(topN + 1, LONGEST_FIRST.reversed());
        Map<String, String> names = new HashMap<>();
        long queued = 0;
        long[] newIds = new long[Math.max(servers, 16)];
        long[] newCounts = new long[newIds.length];
        int n = 0;
        int i = 0;
        for (NodeProcess p : all) {
            byStatus[p.status().ordinal()]++;
            int len = p.mailboxLength();
            queued += Math.max(0, len);
            if (len > 0) {
                top.add(p);
                if (top.size() > topN) {
                    top.poll(); // the shortest (or, among equals, the highest pid) of the kept ones
                }
            }
            if (p.name().isPresent()) {
                names.put(p.pid().toString(), String.valueOf(p.name().get()));
            }
            if (p.messagesHandled().isPresent()) {
                long id = p.pid().id();
                long m = p.messagesHandled().getAsLong();
                while (i < servers && ids[i] < id) {
                    i++; // a server seen last time and gone now: what it added stays added
                }
                long last = i < servers && ids[i] == id ? counts[i] : 0L;
                if (m > last) {
                    handled += m - last;
                } else {
                    m = last; // a racy read is never allowed to take the count back
                }
                if (n == newIds.length) {
                    newIds = Arrays.copyOf(newIds, n * 2);
                    newCounts = Arrays.copyOf(newCounts, n * 2);
                }
                newIds[n] = id;
                newCounts[n] = m;
                n++;
            }
        }
        ids = newIds;
        counts = newCounts;
        servers = n;
        List<NodeProcess> ranked = new ArrayList<>(top);
        ranked.sort(LONGEST_FIRST);
        Snapshot old = current;
        previousNames = old == null ? Map.of() : old.names();
        Snapshot s = new Snapshot(System.nanoTime(), Instant.now(), byStatus, List.copyOf(ranked), queued, handled,
                Map.copyOf(names));
        current = s;
        return s;
    }
}
