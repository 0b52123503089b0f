package io.otpj.cluster;

import io.otpj.core.ExitReason;
import io.otpj.core.NameRegistry;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unique names across a cluster, usable as a via-name: {@code Name.via(cluster.registry(), key)}
 * starts a GenServer under a cluster-wide name, and a send, call or cast to that name reaches it
 * from any node.
 *
 * <p>The model (Horde's, not {@code :global}'s): every node keeps a replica of the whole name
 * table, and each node is the authority for the names of its own processes. Registering is local
 * and immediate (it checks this node's replica, then tells every node); a lookup reads this node's
 * replica and sends nothing. A name is released when its process dies (before the process's links
 * and monitors fire, on its own node; the other nodes hear of it a message later), and the names
 * of a node that is lost disappear with it.
 *
 * <p>Conflicts: two processes on different nodes can hold the same name for a moment, when they
 * registered it at the same time, or on the two sides of a partition that then heals. Every node
 * resolves a conflict by the same rule, with no extra round of messages: <b>the claim of the node
 * whose name sorts first wins</b>; the loser is unregistered and sent the exit signal
 * {@code {name_conflict, key, winner}} ({@link NameConflict}), which kills it unless it traps
 * exits (as Horde does). So:
 * <ul>
 *   <li>while the cluster is connected and quiet, every node resolves a name to the same process;</li>
 *   <li>during a partition, each side resolves names on its own: a name held on the other side
 *       is gone (its node is lost) and may be registered again here;</li>
 *   <li>when the partition heals, each name held on both sides is resolved by the rule within a
 *       message delay, and the losing process is signalled.</li>
 * </ul>
 * Keys are any value the cluster's codec can write, compared with {@code equals}. Thread-safe.
 */
public final class ClusterRegistry implements NameRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRegistry.class);

    /**
     * The term of the exit signal a process gets when it loses a name conflict.
     *
     * @param key the name
     * @param winnerNode the node of the process that keeps it
     * @param winner that process, or null when its node was not connected to this one yet as the
     *     conflict was resolved (after a merge the registries can meet before the nodes do)
     */
    public record NameConflict(Object key, String winnerNode, Pid winner) {}

    /** A claim: who holds the key, by node name, creation and id; the pid itself for a local one. */
    record Claim(String node, int creation, long id, Pid local) {
        boolean sameProcess(Claim o) {
            return o.node.equals(node) && o.creation == creation && o.id == id;
        }
    }

    private final Cluster cluster;
    /** The replica: guarded by {@code this}. */
    private final Map<Object, Claim> names = new HashMap<>();

    ClusterRegistry(Cluster cluster) {
        this.cluster = cluster;
    }

    // ------------------------------------------------------------------ NameRegistry

    /**
     * Registers {@code pid}, a process of this node, under {@code key} if no process holds it
     * as far as this node knows, and tells the other nodes.
     *
     * @param key the name (must be writable by the cluster's codec)
     * @param pid a live process of this node
     * @return null if {@code pid} now holds the key (or already did), or the holder
     * @throws IllegalArgumentException if {@code pid} is not of this node, or {@code key} cannot
     *     be written
     */
    @Override
    public Pid registerName(Object key, Pid pid) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(pid, "pid");
        if (!cluster.isLocal(pid)) {
            throw new IllegalArgumentException(pid + " is not a process of node " + cluster.nodeName()
                    + ": a node registers only its own processes");
        }
        byte[] add = cluster.registryAdd(key, pid); // written first: a bad key changes nothing
        Claim mine = new Claim(pid.node(), pid.creation(), pid.id(), pid);
        synchronized (this) {
            Claim held = names.get(key);
            if (held != null) {
                if (held.sameProcess(mine)) {
                    return null;
                }
                Pid holder = resolve(held);
                if (holder != null) {
                    if (holder.isAlive()) {
                        return holder;
                    }
                } else if (held.local() == null && wins(held, mine)) {
                    // Held on a node not connected yet (its names came before its greeting): the
                    // rule gives it the name, so this start fails as it will everywhere.
                    return cluster.unreachablePid(held.node(), held.creation(), held.id());
                }
            }
            names.put(key, mine);
            // Queued under the lock, so every node hears this node's changes in the order made.
            cluster.multicast(add);
        }
        if (!Proc.onExit(pid, () -> released(key, mine))) {
            released(key, mine); // it died meanwhile
        }
        return null;
    }

    /** The conflict rule: does claim {@code a} keep the name against {@code b}? */
    private static boolean wins(Claim a, Claim b) {
        int c = a.node().compareTo(b.node());
        return c < 0 || c == 0 && a.creation() > b.creation();
    }

    /**
     * Removes {@code key}: at once if a process of this node holds it, else by asking the
     * holder's node.
     *
     * @param key the name
     */
    @Override
    public void unregisterName(Object key) {
        Claim held;
        synchronized (this) {
            held = names.get(key);
        }
        if (held == null) {
            return;
        }
        if (held.local() != null) {
            released(key, held);
        } else {
            cluster.askToUnregister(held.node(), key);
        }
    }

    /**
     * Looks {@code key} up in this node's replica.
     *
     * @param key the name
     * @return the process holding it (local or remote), or null if none, or if its node is not
     *     connected
     */
    @Override
    public Pid whereisName(Object key) {
        Claim held;
        synchronized (this) {
            held = names.get(key);
        }
        Pid p = held == null ? null : resolve(held);
        return p != null && p.isAlive() ? p : null;
    }

    /**
     * Returns the names this node's replica holds now.
     *
     * @return a snapshot of the keys
     */
    public synchronized Set<Object> keys() {
        return Set.copyOf(names.keySet());
    }

    @Override
    public String toString() {
        return "ClusterRegistry[" + cluster.clusterName() + " at " + cluster.nodeName() + "]";
    }

    // ------------------------------------------------------------------ from the cluster

    /** The release of a local claim: dropped here, and the others told. */
    private void released(Object key, Claim claim) {
        byte[] remove = cluster.registryRemove(key, claim.local());
        synchronized (this) {
            if (names.remove(key, claim)) {
                cluster.multicast(remove); // under the lock: after this claim's ADD, before any later one
            }
        }
    }

    /** Another node's process claimed {@code key}. */
    void added(Object key, Claim claim) {
        Claim loser = null;
        Claim winner;
        synchronized (this) {
            Claim held = names.get(key);
            if (held == null || held.sameProcess(claim)
                    || held.node().equals(claim.node()) && held.creation() <= claim.creation()) {
                // Free, the same claim, or the same node's newer one: that node is the authority,
                // and its messages come in the order it made its changes.
                names.put(key, claim);
                return;
            }
            winner = wins(held, claim) ? held : claim;
            Claim other = winner == held ? claim : held;
            names.put(key, winner);
            if (other.local() != null) {
                loser = other;
            } else if (winner.local() != null) {
                // Ours beats theirs: make sure their node hears ours (it may have missed it).
                cluster.multicast(cluster.registryAdd(key, winner.local()));
            }
        }
        if (loser != null) {
            lost(key, loser, winner);
        }
    }

    /** Another node released {@code key} from the process {@code claim} names. */
    synchronized void removed(Object key, Claim claim) {
        Claim held = names.get(key);
        if (held != null && held.sameProcess(claim)) {
            names.remove(key);
        }
    }

    /** Node {@code node} says these are all its claims: they replace what this replica had of it. */
    void synced(String node, Map<Object, Claim> claims) {
        synchronized (this) {
            names.values().removeIf(c -> c.node().equals(node) && c.local() == null);
        }
        for (Map.Entry<Object, Claim> e : claims.entrySet()) {
            added(e.getKey(), e.getValue());
        }
    }

    /** The claims of nodes not in {@code members} (and not this one) are dropped. */
    synchronized void retainNodes(Set<String> members) {
        names.values().removeIf(c -> c.local() == null && !members.contains(c.node()));
    }

    /** This node's own claims, for a sync. */
    synchronized Map<Object, Pid> ownClaims() {
        Map<Object, Pid> out = new HashMap<>();
        for (Map.Entry<Object, Claim> e : names.entrySet()) {
            if (e.getValue().local() != null) {
                out.put(e.getKey(), e.getValue().local());
            }
        }
        return out;
    }

    /** A request from another node to drop a local claim. */
    void unregisterLocal(Object key) {
        Claim held;
        synchronized (this) {
            held = names.get(key);
        }
        if (held != null && held.local() != null) {
            released(key, held);
        }
    }

    private void lost(Object key, Claim loser, Claim winner) {
        Pid w = resolve(winner);
        LOG.warn("registry_name_conflict node={} key={} loser={} winner={}", cluster.nodeName(), key, loser.local(),
                w != null ? w : winner.node() + "." + winner.id());
        // Its release (REMOVE) goes out from its exit hook when it dies of this signal; one that
        // traps exits keeps running without the name, which the others already give the winner.
        Proc.exit(loser.local(), ExitReason.of(new NameConflict(key, winner.node(), w)));
    }

    private Pid resolve(Claim c) {
        return c.local() != null ? c.local() : cluster.remotePid(c.node(), c.creation(), c.id());
    }

    /** For a sync frame: the claims listed in it. */
    static List<Object> flatten(Map<Object, Pid> claims) {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<Object, Pid> e : claims.entrySet()) {
            out.add(e.getKey());
            out.add(e.getValue());
        }
        return out;
    }
}
