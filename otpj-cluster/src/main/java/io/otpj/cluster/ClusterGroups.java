package io.otpj.cluster;

import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Process groups across a cluster, Erlang's {@code pg}: duplicate keys, any number of processes
 * on any nodes under one group. A process joins and leaves groups on its own node; every node
 * keeps a replica of every group's members and answers {@link #members} from it, with no message.
 *
 * <p>Each node is the authority for its own processes' memberships and tells the others of each
 * change, in the order it made them; a member is dropped when it dies (at once on its node, a
 * message later on the others) and a lost node's members disappear with it. On a join or a merge
 * every node re-announces its own memberships. So the replicas agree once the cluster is
 * connected and quiet; in between, a member may be listed a message late or after it has gone.
 * A process may join a group several times, and is listed once per join, as in {@code pg}.
 * Groups are any value the cluster's codec can write. Thread-safe.
 */
public final class ClusterGroups {

    private final Cluster cluster;
    /** This node's memberships, guarded by {@code this}: group to its local members, one entry per join. */
    private final Map<Object, List<Pid>> local = new HashMap<>();
    /** The other nodes' memberships, guarded by {@code this}: group to node to members. */
    private final Map<Object, Map<String, List<ClusterRegistry.Claim>>> remote = new HashMap<>();

    ClusterGroups(Cluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Makes the calling process a member of {@code group}, once more.
     *
     * @param group the group (must be writable by the cluster's codec)
     * @throws IllegalStateException if the caller is not a process
     * @throws IllegalArgumentException if {@code group} cannot be written
     */
    public void join(Object group) {
        Objects.requireNonNull(group, "group");
        Pid self = Proc.self();
        byte[] frame = cluster.groupFrame(true, group, self);
        boolean first;
        synchronized (this) {
            List<Pid> ms = local.computeIfAbsent(group, g -> new ArrayList<>());
            first = !ms.contains(self);
            ms.add(self);
            cluster.multicast(frame); // under the lock: the others hear the changes in the order made
        }
        if (first) {
            Proc.onExit(self, () -> gone(group, self));
        }
    }

    /**
     * Ends one membership of the calling process in {@code group}.
     *
     * @param group the group
     * @return whether the process was a member
     * @throws IllegalStateException if the caller is not a process
     */
    public boolean leave(Object group) {
        Objects.requireNonNull(group, "group");
        Pid self = Proc.self();
        byte[] frame = cluster.groupFrame(false, group, self);
        synchronized (this) {
            List<Pid> ms = local.get(group);
            if (ms == null || !ms.remove(self)) {
                return false;
            }
            if (ms.isEmpty()) {
                local.remove(group);
            }
            cluster.multicast(frame);
            return true;
        }
    }

    /**
     * Returns the members of {@code group} on every connected node, as this node knows them.
     *
     * @param group the group
     * @return a snapshot: this node's members first, then the others' (a pid once per join)
     */
    public List<Pid> members(Object group) {
        List<Pid> out = new ArrayList<>();
        List<ClusterRegistry.Claim> others = new ArrayList<>();
        synchronized (this) {
            List<Pid> ms = local.get(group);
            if (ms != null) {
                out.addAll(ms);
            }
            Map<String, List<ClusterRegistry.Claim>> byNode = remote.get(group);
            if (byNode != null) {
                byNode.values().forEach(others::addAll);
            }
        }
        for (ClusterRegistry.Claim c : others) {
            Pid p = cluster.remotePid(c.node(), c.creation(), c.id());
            if (p != null && p.isAlive()) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Returns the members of {@code group} on this node only.
     *
     * @param group the group
     * @return a snapshot
     */
    public synchronized List<Pid> localMembers(Object group) {
        List<Pid> ms = local.get(group);
        return ms == null ? List.of() : List.copyOf(ms);
    }

    @Override
    public String toString() {
        return "ClusterGroups[" + cluster.clusterName() + " at " + cluster.nodeName() + "]";
    }

    // ------------------------------------------------------------------ from the cluster

    /** A local member died: all its memberships end. */
    private void gone(Object group, Pid pid) {
        byte[] frame = cluster.groupFrame(false, group, pid);
        synchronized (this) {
            List<Pid> ms = local.get(group);
            if (ms == null) {
                return;
            }
            while (ms.remove(pid)) {
                cluster.multicast(frame);
            }
            if (ms.isEmpty()) {
                local.remove(group);
            }
        }
    }

    synchronized void joined(Object group, ClusterRegistry.Claim member) {
        remote.computeIfAbsent(group, g -> new HashMap<>()).computeIfAbsent(member.node(), n -> new ArrayList<>()).add(member);
    }

    synchronized void left(Object group, ClusterRegistry.Claim member) {
        Map<String, List<ClusterRegistry.Claim>> byNode = remote.get(group);
        List<ClusterRegistry.Claim> ms = byNode == null ? null : byNode.get(member.node());
        if (ms == null) {
            return;
        }
        for (int i = 0; i < ms.size(); i++) {
            if (ms.get(i).sameProcess(member)) {
                ms.remove(i);
                break;
            }
        }
        if (ms.isEmpty()) {
            byNode.remove(member.node());
            if (byNode.isEmpty()) {
                remote.remove(group);
            }
        }
    }

    /** Node {@code node} lists all its memberships: they replace what this replica had of it. */
    synchronized void synced(String node, List<Map.Entry<Object, ClusterRegistry.Claim>> memberships) {
        dropNode(node);
        for (Map.Entry<Object, ClusterRegistry.Claim> e : memberships) {
            joined(e.getKey(), e.getValue());
        }
    }

    /** The memberships of nodes not in {@code members} are dropped. */
    synchronized void retainNodes(Set<String> members) {
        Set<String> gone = new HashSet<>();
        for (Map<String, List<ClusterRegistry.Claim>> byNode : remote.values()) {
            for (String n : byNode.keySet()) {
                if (!members.contains(n)) {
                    gone.add(n);
                }
            }
        }
        gone.forEach(this::dropNode);
    }

    private void dropNode(String node) {
        remote.values().removeIf(byNode -> byNode.remove(node) != null && byNode.isEmpty());
    }

    /** This node's memberships, for a sync: (group, pid) once per join. */
    synchronized List<Map.Entry<Object, Pid>> ownMemberships() {
        List<Map.Entry<Object, Pid>> out = new ArrayList<>();
        for (Map.Entry<Object, List<Pid>> e : local.entrySet()) {
            for (Pid p : e.getValue()) {
                out.add(Map.entry(e.getKey(), p));
            }
        }
        return out;
    }
}
