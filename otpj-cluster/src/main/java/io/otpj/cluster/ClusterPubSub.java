package io.otpj.cluster;

import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Topics across a cluster, as Phoenix.PubSub over distributed Erlang: a process subscribes on
 * its own node; a publish on any node reaches the subscribers of every connected node.
 *
 * <p>Each node keeps its own subscribers (a process is dropped when it dies); a publish delivers
 * to this node's subscribers and sends the message once to each other connected node, which
 * delivers it to its own. Ordering: what one process publishes reaches each subscriber in the
 * order published, and in order with what that process sends the subscriber directly (one FIFO
 * per pair of nodes carries both). A node lost misses what is published until it is back; a
 * message the codec cannot write fails the publish with {@link IllegalArgumentException}, on
 * every cluster size. Thread-safe.
 */
public final class ClusterPubSub {

    private final Cluster cluster;
    private final ConcurrentHashMap<Object, Set<Pid>> topics = new ConcurrentHashMap<>();

    ClusterPubSub(Cluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Subscribes the calling process to {@code topic} on this node.
     *
     * @param topic the topic (must be writable by the cluster's codec)
     * @return whether it was not subscribed before
     * @throws IllegalStateException if the caller is not a process
     */
    public boolean subscribe(Object topic) {
        Objects.requireNonNull(topic, "topic");
        Pid self = Proc.self();
        boolean[] added = new boolean[1];
        // Per key atomically (compute), so a subscribe never joins a set an unsubscribe just dropped.
        topics.compute(topic, (t, set) -> {
            Set<Pid> s = set != null ? set : ConcurrentHashMap.newKeySet();
            added[0] = s.add(self);
            return s;
        });
        if (added[0]) {
            Proc.onExit(self, () -> drop(topic, self));
            cluster.groups().join(group(topic)); // listed cluster-wide (subscribers)
        }
        return added[0];
    }

    /**
     * Unsubscribes the calling process from {@code topic}.
     *
     * @param topic the topic
     * @return whether it was subscribed
     * @throws IllegalStateException if the caller is not a process
     */
    public boolean unsubscribe(Object topic) {
        boolean was = drop(Objects.requireNonNull(topic, "topic"), Proc.self());
        if (was) {
            cluster.groups().leave(group(topic));
        }
        return was;
    }

    /**
     * Returns the subscribers of {@code topic} on every connected node, as this node knows them
     * (the process groups' replica: a subscription on another node is listed a message later).
     *
     * @param topic the topic
     * @return a snapshot
     */
    public List<Pid> subscribers(Object topic) {
        return cluster.groups().members(group(topic));
    }

    /** The process group a topic's subscribers are in. */
    private static Object group(Object topic) {
        return List.of("otpj.pubsub", topic);
    }

    /**
     * Sends {@code message} to every subscriber of {@code topic} on every connected node.
     *
     * @param topic the topic
     * @param message the message
     * @throws IllegalArgumentException if the topic or message cannot be written
     */
    public void publish(Object topic, Object message) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(message, "message");
        byte[] frame = cluster.publishFrame(topic, message);
        deliverLocal(topic, message);
        cluster.toEveryNode(frame);
    }

    /**
     * Returns this node's subscribers of {@code topic}.
     *
     * @param topic the topic
     * @return a snapshot of them
     */
    public List<Pid> localSubscribers(Object topic) {
        Set<Pid> s = topics.get(topic);
        return s == null ? List.of() : List.copyOf(s);
    }

    void deliverLocal(Object topic, Object message) {
        Set<Pid> s = topics.get(topic);
        if (s != null) {
            for (Pid p : s) {
                Proc.send(p, message);
            }
        }
    }

    private boolean drop(Object topic, Pid pid) {
        boolean[] removed = new boolean[1];
        topics.computeIfPresent(topic, (t, s) -> {
            removed[0] = s.remove(pid);
            return s.isEmpty() ? null : s;
        });
        return removed[0];
    }
}
