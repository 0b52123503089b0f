package io.otpj.cluster;

import io.otpj.core.ExitReason;
import io.otpj.core.Node;
import io.otpj.core.NodeTransport;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.RemoteNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.DISCARD;
import org.jgroups.util.NameCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An otpj {@link Node} joined to a cluster of nodes over JGroups: the pids of the other nodes'
 * processes are usable here as local ones are.
 *
 * <p>What works across nodes, with the same rules as in one node: {@code Proc.send},
 * {@code GenServer.cast}, {@code GenServer.call} (timeouts, and a server that dies fails the call
 * with its reason), {@code GenServer.stop}, {@code Proc.link} and {@code unlink} (an exit signal
 * along the link either way), {@code Proc.monitor} (one DOWN), {@code Proc.exit(pid, reason)}
 * ({@code kill} included). Pids reach another node inside messages (the codec writes them), or
 * through {@link #whereis(String, Object, Duration)}, Erlang's {@code {Name, Node}}.
 *
 * <p>Ordering: everything one process sends to one process of another node arrives in the
 * order it was sent, messages and signals together (JGroups UNICAST3 gives reliable FIFO delivery
 * between each pair of members, and each node applies what arrives from another in that order),
 * so a process's messages arrive before its exit signal and its DOWN.
 *
 * <p>Node loss: when a node leaves, crashes or is cut off (JGroups' failure detection, then a new
 * view without it), every local monitor and link on its processes fires {@code noconnection},
 * once, calls waiting on them fail with it, and {@link NodeEvent.Down} goes to the processes that
 * {@link #monitorNodes(boolean) monitor nodes}. A call or a link to a pid of a node that is not
 * connected fails at once with {@code noconnection}. When the node comes back (a restart, or the
 * partition heals and JGroups merges the views), it connects again ({@link NodeEvent.Up}); its
 * earlier pids stay dead here, as in Erlang. See docs/cluster.md for what holds during a
 * partition.
 *
 * <p>What crosses nodes is written by the {@link Codec} of the {@link ClusterOptions}: by default
 * {@link TermCodec}, which refuses records and enums not on the allowlist. A message that cannot
 * be written fails its {@code send}, {@code cast} or {@code call} at the sender with
 * {@link IllegalArgumentException}; one the receiving node refuses is dropped there and logged
 * (a refused call request fails the call).
 *
 * <p>Thread-safety: every method may be called from any thread. Bad input: a blank or taken node
 * name, a malformed stack, a node joined twice: {@link IllegalArgumentException} or
 * {@link IllegalStateException} naming the problem, the cluster unharmed.
 */
public final class Cluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);
    private static final ConcurrentHashMap<Node, Cluster> JOINED = new ConcurrentHashMap<>();

    private static final int HELLO = 1, SEND = 2, CAST = 3, CALL = 4, STOP = 5, REPLY = 6, REPLY_ERROR = 7, LINK = 8,
            UNLINK = 9, EXIT = 10, LINK_EXIT = 11, WATCH = 12, DIED = 13, WHEREIS = 14, WHEREIS_REPLY = 15,
            REG_ADD = 16, REG_REMOVE = 17, REG_SYNC = 18, REG_UNREGISTER = 19, PUBLISH = 20, CALL_FAILED = 21,
            PG_JOIN = 22, PG_LEAVE = 23, PG_SYNC = 24;

    private final Node node;
    private final ClusterOptions options;
    private final Codec codec;
    /** The key of the frames' authentication tags, or null without a secret. */
    private final javax.crypto.SecretKey macKey;
    private final PidCodec pids = new PidCodec();
    private final ClusterRegistry registry = new ClusterRegistry(this);
    private final ClusterPubSub pubsub = new ClusterPubSub(this);
    private final ClusterGroups groups = new ClusterGroups(this);
    /**
     * The serial thread: the registry's multicasts, and a lost node's disconnection and node
     * events, one at a time in the order asked (see {@link #multicast}, {@link #lose}).
     */
    private final java.util.concurrent.ExecutorService outbox = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("otpj-cluster-serial").unstarted(r));
    /** The members of the last view, to tell new ones (a join, a merge) this node's names. */
    private Set<Address> lastMembers = Set.of();
    private JChannel channel;
    /** The connected nodes, by name and by member address; changed under this object's lock. */
    private final ConcurrentHashMap<String, Link> byName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Address, Link> byAddress = new ConcurrentHashMap<>();
    /** The members this node has sent its HELLO to (once per member, before anything else). */
    private final Set<Address> greeted = ConcurrentHashMap.newKeySet();
    /** Local pids written to another node, weakly: a pid read back reaches the same process. */
    private final ConcurrentHashMap<Long, Exported> exported = new ConcurrentHashMap<>();
    private final ReferenceQueue<Pid> unexported = new ReferenceQueue<>();
    private final Set<Pid> nodeWatchers = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Long, Lookup> lookups = new ConcurrentHashMap<>();
    private final AtomicLong nextLookup = new AtomicLong();
    /** Until the join is checked, what arrives waits here (guarded by {@code early}). */
    private final List<Message> early = new ArrayList<>();
    private View earlyView;
    private boolean ready;
    private volatile boolean closed;

    private Cluster(Node node, ClusterOptions options) {
        this.node = node;
        this.options = options;
        this.codec = options.codec() != null ? options.codec() : TermCodec.allowing(options.allowlist(), loader());
        this.macKey = macKey(options.secretKey());
    }

    private static ClassLoader loader() {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        return l != null ? l : Cluster.class.getClassLoader();
    }

    /**
     * Joins {@code node} to the cluster {@code options} names, under the node's name, and returns
     * once connected to the members found. A node joins one cluster at a time.
     *
     * @param node a running node; its name is its name in the cluster
     * @param options the cluster and its stack
     * @return the joined cluster
     * @throws IllegalArgumentException if the stack cannot be built (a malformed XML file, say)
     * @throws IllegalStateException if the node is stopped or already joined, another member has
     *     the node's name, or the channel cannot connect
     */
    public static Cluster join(Node node, ClusterOptions options) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(options, "options");
        if (!node.isRunning()) {
            throw new IllegalStateException("node " + node.name() + " is stopped: it cannot join a cluster");
        }
        Cluster c = new Cluster(node, options);
        if (JOINED.putIfAbsent(node, c) != null) {
            throw new IllegalStateException("node " + node.name() + " has already joined a cluster");
        }
        try {
            c.connect();
        } catch (RuntimeException e) {
            c.outbox.shutdown();
            JOINED.remove(node, c);
            throw e;
        }
        return c;
    }

    /**
     * Returns the cluster {@code node} has joined, if any.
     *
     * @param node a node
     * @return its cluster, or empty
     */
    public static Optional<Cluster> of(Node node) {
        return Optional.ofNullable(JOINED.get(Objects.requireNonNull(node, "node")));
    }

    private void connect() {
        JChannel ch = Stacks.channel(options.stack(), options.secretKey());
        channel = ch;
        ch.setName(node.name());
        ch.setDiscardOwnMessages(true);
        ch.setReceiver(new Receiver() {
            @Override
            public void receive(Message msg) {
                arrived(msg);
            }

            @Override
            public void viewAccepted(View view) {
                viewed(view);
            }
        });
        try {
            CompletableFuture<Void> connected = CompletableFuture.runAsync(() -> {
                try {
                    ch.connect(options.clusterName());
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }, r -> Thread.ofPlatform().daemon().name("otpj-cluster-join").start(r));
            connected.get(options.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            ch.close();
            throw new IllegalStateException("node " + node.name() + " could not join cluster " + options.clusterName()
                    + " within " + options.joinTimeout());
        } catch (ExecutionException e) {
            ch.close();
            Throwable cause = e.getCause().getCause() != null ? e.getCause().getCause() : e.getCause();
            throw new IllegalStateException("node " + node.name() + " could not join cluster " + options.clusterName()
                    + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            ch.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining cluster " + options.clusterName());
        }
        for (Address a : ch.getView().getMembers()) {
            if (!a.equals(ch.getAddress()) && node.name().equals(NameCache.get(a))) {
                ch.close();
                throw new IllegalStateException("node name " + node.name() + " is already taken in cluster "
                        + options.clusterName() + ": start the node under another name");
            }
        }
        synchronized (early) {
            ready = true;
            if (earlyView != null) {
                viewed(earlyView);
                earlyView = null;
            }
            for (Message m : early) {
                handle(m);
            }
            early.clear();
        }
        LOG.info("cluster_joined node={} cluster={} members={}", node.name(), options.clusterName(), ch.getView().size());
    }

    // ------------------------------------------------------------------ public API

    /**
     * Returns this node's name in the cluster.
     *
     * @return the local node's name
     */
    public String nodeName() {
        return node.name();
    }

    /**
     * Returns the cluster's name.
     *
     * @return the name the node joined
     */
    public String clusterName() {
        return options.clusterName();
    }

    /**
     * Returns the other nodes this one is connected to now, as Erlang's {@code nodes()}.
     *
     * @return their names, sorted
     */
    public List<String> nodes() {
        List<String> out = new ArrayList<>();
        for (Link l : byName.values()) {
            if (l.remote.isConnected()) {
                out.add(l.remote.name());
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * Returns the cluster-wide registry of unique names: {@code Name.via(cluster.registry(), key)}.
     *
     * @return this node's view of the cluster's names
     */
    public ClusterRegistry registry() {
        return registry;
    }

    /**
     * Returns the cluster's process groups (Erlang's {@code pg}: duplicate keys across nodes).
     *
     * @return this node's view of the cluster's groups
     */
    public ClusterGroups groups() {
        return groups;
    }

    /**
     * Returns the cluster's topics.
     *
     * @return publish and subscribe across the nodes
     */
    public ClusterPubSub pubsub() {
        return pubsub;
    }

    /**
     * Subscribes the calling process to node events ({@code net_kernel:monitor_nodes/1}): a
     * {@link NodeEvent.Up} each time a node connects, a {@link NodeEvent.Down} each time one is
     * lost, sent after the monitors on its processes have fired. Subscribing twice is once.
     *
     * @param on true to subscribe, false to stop
     * @return whether the process was subscribed before the call
     * @throws IllegalStateException if the caller is not a process
     */
    public boolean monitorNodes(boolean on) {
        Pid self = Proc.self();
        return on ? !nodeWatchers.add(self) : nodeWatchers.remove(self);
    }

    /**
     * Looks up a locally registered name on another node, as Erlang's {@code {Name, Node}}: the pid
     * of the process registered there as {@code name} ({@code Proc.register}, a GenServer's
     * local name), usable here with send, call, link and monitor.
     *
     * @param nodeName the node
     * @param name the name there (written with the codec)
     * @param timeout how long to wait for the answer
     * @return the pid, or empty if no process is registered under {@code name} there
     * @throws IllegalArgumentException if {@code nodeName} is not connected, or {@code name}
     *     cannot be written
     * @throws IllegalStateException if the node does not answer in time, or is lost meanwhile
     */
    public Optional<Pid> whereis(String nodeName, Object name, Duration timeout) {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(timeout, "timeout");
        if (nodeName.equals(node.name())) {
            return node.whereis(name);
        }
        Link l = byName.get(nodeName);
        if (l == null || !l.remote.isConnected()) {
            throw new IllegalArgumentException("node " + nodeName + " is not connected to " + node.name()
                    + " (connected: " + nodes() + ")");
        }
        long req = nextLookup.incrementAndGet();
        Lookup lookup = new Lookup(l, new CompletableFuture<>());
        lookups.put(req, lookup);
        try {
            l.post(frame(WHEREIS, d -> {
                d.writeLong(req);
                codec.write(name, d, pids);
            }));
            return lookup.answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("node " + nodeName + " did not answer a lookup of " + name + " within " + timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking up " + name + " on " + nodeName);
        } finally {
            lookups.remove(req);
        }
    }

    /**
     * Leaves the cluster: the channel closes (the others see this node leave), and every remote
     * pid here is lost ({@code noconnection} to its monitors, links and callers). Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        channel.close();
        synchronized (this) {
            for (Link l : List.copyOf(byName.values())) {
                lose(l);
            }
        }
        outbox.shutdown(); // after the losses just queued: they run, then the thread ends
        try {
            outbox.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        JOINED.remove(node, this);
        LOG.info("cluster_left node={} cluster={}", node.name(), options.clusterName());
    }

    @Override
    public String toString() {
        return "Cluster[" + options.clusterName() + ", node " + node.name() + ", connected to " + nodes() + "]";
    }

    /** For tests: the stack's DISCARD protocol, which cuts this node off when told to drop everything. */
    DISCARD discard() {
        return channel.getProtocolStack().findProtocol(DISCARD.class);
    }

    /** For tests' failure messages: the JGroups view this node has installed, beside its links. */
    String membership() {
        return node.name() + ": view " + channel.getView() + ", connected to " + nodes();
    }

    // ------------------------------------------------------------------ membership

    private void viewed(View view) {
        synchronized (early) {
            if (!ready) {
                earlyView = view;
                return;
            }
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            Set<Address> members = new HashSet<>(view.getMembers());
            // Only a member this node saw in a view, and no longer sees, is gone. A view callback
            // can run after a message from a member it does not list yet (JGroups delivers views
            // and messages on different threads): that member's HELLO made a link the next view
            // will list, and must not be dropped for an older view.
            for (Link l : List.copyOf(byAddress.values())) {
                if (lastMembers.contains(l.address) && !members.contains(l.address)) {
                    lose(l);
                }
            }
            greeted.removeIf(a -> lastMembers.contains(a) && !members.contains(a));
            for (Address a : members) {
                if (!a.equals(channel.getAddress())) {
                    greet(a);
                }
            }
            Set<String> names = new HashSet<>();
            for (Address a : members) {
                String n = NameCache.get(a);
                if (n != null) {
                    names.add(n);
                }
            }
            registry.retainNodes(names);
            groups.retainNodes(names);
            boolean newcomers = !lastMembers.containsAll(members);
            lastMembers = members;
            if (newcomers && members.size() > 1) {
                // A join or a merge: every node tells the view its own names (conflicts resolve by rule).
                multicast(syncFrame());
                multicast(groupSyncFrame());
            }
        }
    }

    /** Under the lock: our HELLO goes to {@code a} once, before anything else we send it. */
    private void greet(Address a) {
        if (greeted.add(a)) {
            sendHello(a, false);
        }
    }

    private void sendHello(Address a, boolean reply) {
        post(a, frame(HELLO, d -> {
            d.writeUTF(node.name());
            d.writeInt(node.creation());
            d.writeBoolean(reply);
        }));
    }

    private void hello(Address from, String name, int creation, boolean reply) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (name.equals(node.name())) {
                LOG.error("cluster_name_conflict node={} cluster={} other_member={}: another member uses this node's name;"
                        + " it is ignored", name, options.clusterName(), from);
                return;
            }
            View current = channel.getView();
            if (current == null || !current.containsMember(from)) {
                // From a member the newest view does not list: gone already (its link would never
                // be dropped), or not listed yet (the view that lists it greets it).
                LOG.debug("cluster_hello_ignored node={} from={}: not in the view", node.name(), name);
                return;
            }
            if (reply) {
                greet(from);
            } else {
                // Every greeting is answered, even when this node greeted first: whatever either
                // side lost in between, both end up with a link.
                greeted.add(from);
                sendHello(from, true);
            }
            Link old = byName.get(name);
            if (old != null) {
                boolean same = old.address.equals(from) && old.remote.creation() == creation && old.remote.isConnected();
                if (same && reply) {
                    return; // the answer to our greeting, for a link we have
                }
                if (same) {
                    // A first greeting on a link we have: the other side dropped this connection (it
                    // saw this node leave a view this node never left), so its proxies and watches
                    // of ours are gone. Start again on both sides: lose this link, make a new one.
                    LOG.info("cluster_reconnect node={} peer={}", node.name(), name);
                }
                lose(old);
            }
            Link l = new Link(from, name, creation);
            byName.put(name, l);
            byAddress.put(from, l);
            LOG.info("cluster_nodeup node={} peer={}", node.name(), name);
            later(() -> tell(new NodeEvent.Up(name)));
            multicast(syncFrame()); // the new peer learns this node's names and memberships
            multicast(groupSyncFrame());
        }
    }

    /**
     * Under the lock: {@code l}'s node is gone. It leaves the tables now; its proxies die (which
     * runs local processes' deaths, exit hooks included) and the event is told on the serial
     * thread, in the order the changes were made, never on a JGroups thread.
     */
    private void lose(Link l) {
        byName.remove(l.remote.name(), l);
        byAddress.remove(l.address, l);
        later(() -> finishLoss(l));
    }

    private void finishLoss(Link l) {
        synchronized (l) { // after any frame from that node being applied: nothing lands after the loss
            if (!l.remote.isConnected()) {
                return;
            }
            l.remote.disconnect();
        }
        for (Lookup k : lookups.values()) {
            if (k.link == l) {
                k.answer.completeExceptionally(new IllegalStateException("node " + l.remote.name() + " was lost"));
            }
        }
        LOG.info("cluster_nodedown node={} peer={}", node.name(), l.remote.name());
        tell(new NodeEvent.Down(l.remote.name()));
    }

    /** Runs {@code r} on the serial thread, after what was asked before it; at once if closing. */
    private void later(Runnable r) {
        try {
            outbox.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            r.run();
        }
    }

    private void tell(NodeEvent e) {
        for (Pid w : nodeWatchers) {
            if (!w.isAlive()) {
                nodeWatchers.remove(w);
            } else {
                Proc.send(w, e);
            }
        }
    }

    // ------------------------------------------------------------------ incoming

    private void arrived(Message m) {
        synchronized (early) {
            if (!ready) {
                early.add(m);
                return;
            }
        }
        handle(m);
    }

    private void handle(Message m) {
        Address src = m.getSrc();
        int length = opened(m.getArray(), m.getOffset(), m.getLength());
        if (length < 0) {
            LOG.warn("cluster_frame_rejected node={} from={}: its authentication tag does not match (not from a node"
                    + " with this cluster's secret, or altered on the way)", node.name(), src);
            return;
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(m.getArray(), m.getOffset(), length));
        int kind = -1;
        try {
            kind = in.readUnsignedByte();
            if (kind == HELLO) {
                hello(src, in.readUTF(), in.readInt(), in.readBoolean());
                return;
            }
            if (kind >= REG_ADD && kind <= REG_SYNC || kind >= PG_JOIN && kind <= PG_SYNC) {
                registryFrame(kind, in); // multicast: may come before the sender's HELLO
                return;
            }
            Link l = byAddress.get(src);
            if (l == null || !l.remote.isConnected()) {
                LOG.debug("cluster_dropped node={} from={} kind={}: not connected", node.name(), src, kind);
                return;
            }
            synchronized (l) { // a loss (finishLoss) waits for the frame being applied
                if (l.remote.isConnected()) {
                    l.apply(kind, in);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cluster_message_refused node={} from={} kind={} problem={}", node.name(), src, kind, e.toString());
        }
    }

    // ------------------------------------------------------------------ frames

    @FunctionalInterface
    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] frame(int kind, Body body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        DataOutputStream d = new DataOutputStream(b);
        try {
            d.writeByte(kind);
            body.write(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return b.toByteArray();
    }

    private void post(Address to, byte[] frame) {
        try {
            channel.send(new BytesMessage(to, seal(frame)));
        } catch (Exception e) {
            if (!closed) {
                LOG.debug("cluster_send_failed node={} to={} problem={}", node.name(), to, e.toString());
            }
        }
    }

    // ------------------------------------------------------------------ frame authentication

    /** Bytes of the tag a frame carries when the cluster has a secret. */
    static final int TAG = 16;

    /**
     * With a secret: {@code frame} followed by the first {@value #TAG} bytes of its HMAC-SHA256
     * under a key derived from the cluster's key, so a node checks every otpj frame's origin and
     * integrity before it decodes it (SYM_ENCRYPT's CBC gives confidentiality only).
     */
    byte[] seal(byte[] frame) {
        if (macKey == null) {
            return frame;
        }
        byte[] tag = mac().doFinal(frame);
        byte[] out = java.util.Arrays.copyOf(frame, frame.length + TAG);
        System.arraycopy(tag, 0, out, frame.length, TAG);
        return out;
    }

    /** @return the length of the frame inside a sealed message, or -1 if its tag does not match */
    int opened(byte[] b, int offset, int length) {
        if (macKey == null) {
            return length;
        }
        if (length < TAG + 1) {
            return -1;
        }
        javax.crypto.Mac mac = mac();
        mac.update(b, offset, length - TAG);
        byte[] expected = mac.doFinal();
        byte[] got = java.util.Arrays.copyOfRange(b, offset + length - TAG, offset + length);
        return java.security.MessageDigest.isEqual(java.util.Arrays.copyOf(expected, TAG), got) ? length - TAG : -1;
    }

    private javax.crypto.Mac mac() {
        try {
            javax.crypto.Mac m = javax.crypto.Mac.getInstance("HmacSHA256");
            m.init(macKey);
            return m;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256: " + e.getMessage(), e);
        }
    }

    private static javax.crypto.SecretKey macKey(javax.crypto.SecretKey key) {
        if (key == null) {
            return null;
        }
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update("otpj-cluster frame authentication".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new javax.crypto.spec.SecretKeySpec(sha.digest(key.getEncoded()), "HmacSHA256");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-256: " + e.getMessage(), e);
        }
    }

    private Object read(DataInput in) throws IOException {
        return codec.read(in, pids);
    }

    private ExitReason readReason(DataInput in) throws IOException {
        if (read(in) instanceof ExitReason r) {
            return r;
        }
        throw new IllegalArgumentException("malformed frame: an exit reason was expected");
    }

    private Pid readOptionalPid(DataInput in) throws IOException {
        return in.readBoolean() ? pids.read(in) : null;
    }

    private void writeOptionalPid(Pid p, DataOutput out) throws IOException {
        out.writeBoolean(p != null);
        if (p != null) {
            pids.write(p, out);
        }
    }

    // ------------------------------------------------------------------ pids on the wire

    private record Lookup(Link link, CompletableFuture<Optional<Pid>> answer) {}

    private static final class Exported extends WeakReference<Pid> {
        final long id;

        Exported(Pid pid, ReferenceQueue<Pid> q) {
            super(pid, q);
            this.id = pid.id();
        }
    }

    /** A pid as node name, creation and id; read back as the local process, a proxy, or a dead pid. */
    private final class PidCodec implements Codec.Pids {
        @Override
        public void write(Pid pid, DataOutput out) throws IOException {
            Objects.requireNonNull(pid, "pid");
            out.writeUTF(pid.node());
            out.writeInt(pid.creation());
            out.writeLong(pid.id());
            if (pid.node().equals(node.name()) && pid.creation() == node.creation()) {
                export(pid);
            }
        }

        @Override
        public Pid read(DataInput in) throws IOException {
            String n = in.readUTF();
            int creation = in.readInt();
            long id = in.readLong();
            if (n.equals(node.name())) {
                Exported e = creation == node.creation() ? exported.get(id) : null;
                Pid p = e == null ? null : e.get();
                return p != null ? p : RemoteNode.deadPid(node, n, creation, id, ExitReason.noproc());
            }
            Link l = byName.get(n);
            if (l != null && l.remote.creation() == creation && id > 0) {
                return l.remote.pid(id);
            }
            boolean stale = l != null && l.remote.creation() != creation;
            return RemoteNode.deadPid(node, n, creation, id, stale ? ExitReason.noproc() : ExitReason.noconnection());
        }

        private void export(Pid pid) {
            Object r;
            while ((r = unexported.poll()) != null) {
                Exported e = (Exported) r;
                exported.remove(e.id, e);
            }
            Exported e = exported.get(pid.id());
            if (e == null || e.get() == null) {
                exported.put(pid.id(), new Exported(pid, unexported));
            }
        }
    }

    // ------------------------------------------------------------------ a connection

    /** The connection to one other node: its member address and the runtime's view of it. */
    private final class Link implements NodeTransport {
        final Address address;
        final RemoteNode remote;

        Link(Address address, String name, int creation) {
            this.address = address;
            this.remote = RemoteNode.connect(node, name, creation, this);
        }

        void post(byte[] frame) {
            Cluster.this.post(address, frame);
        }

        // outgoing: the runtime's calls, on the sender's thread

        @Override
        public void send(Pid to, Object message) {
            post(frame(SEND, d -> {
                pids.write(to, d);
                codec.write(message, d, pids);
            }));
        }

        @Override
        public void cast(Pid to, Object request) {
            post(frame(CAST, d -> {
                pids.write(to, d);
                codec.write(request, d, pids);
            }));
        }

        @Override
        public void call(Pid to, long ref, Pid caller, Object request) {
            post(frame(CALL, d -> {
                pids.write(to, d);
                d.writeLong(ref);
                writeOptionalPid(caller, d);
                codec.write(request, d, pids);
            }));
        }

        @Override
        public void stop(Pid to, long ref, Pid caller, ExitReason reason) {
            post(frame(STOP, d -> {
                pids.write(to, d);
                d.writeLong(ref);
                writeOptionalPid(caller, d);
                codec.write(reason, d, pids);
            }));
        }

        @Override
        public void reply(long ref, Object value) {
            post(frame(REPLY, d -> {
                d.writeLong(ref);
                codec.write(value, d, pids);
            }));
        }

        @Override
        public void replyError(long ref, String problem) {
            post(frame(REPLY_ERROR, d -> {
                d.writeLong(ref);
                d.writeUTF(problem.length() > 2000 ? problem.substring(0, 2000) : problem);
            }));
        }

        @Override
        public void callFailed(long ref, ExitReason reason) {
            post(frame(CALL_FAILED, d -> {
                d.writeLong(ref);
                codec.write(reason, d, pids);
            }));
        }

        @Override
        public void link(Pid from, Pid to) {
            post(frame(LINK, d -> {
                pids.write(from, d);
                pids.write(to, d);
            }));
        }

        @Override
        public void unlink(Pid from, Pid to) {
            post(frame(UNLINK, d -> {
                pids.write(from, d);
                pids.write(to, d);
            }));
        }

        @Override
        public void exit(Pid from, Pid to, ExitReason reason) {
            post(frame(EXIT, d -> {
                writeOptionalPid(from, d);
                pids.write(to, d);
                codec.write(reason, d, pids);
            }));
        }

        @Override
        public void linkExit(Pid from, Pid to, ExitReason reason) {
            post(frame(LINK_EXIT, d -> {
                pids.write(from, d);
                pids.write(to, d);
                codec.write(reason, d, pids);
            }));
        }

        @Override
        public void watch(Pid target) {
            post(frame(WATCH, d -> pids.write(target, d)));
        }

        @Override
        public void died(Pid target, ExitReason reason) {
            post(frame(DIED, d -> {
                pids.write(target, d);
                codec.write(reason, d, pids);
            }));
        }

        // incoming: applied in the order they arrive from this node

        void apply(int kind, DataInputStream in) throws IOException {
            switch (kind) {
                case SEND -> {
                    Pid to = pids.read(in);
                    remote.send(to, read(in));
                }
                case CAST -> {
                    Pid to = pids.read(in);
                    remote.cast(to, read(in));
                }
                case CALL, STOP -> {
                    Pid to = pids.read(in);
                    long ref = in.readLong();
                    Pid caller = readOptionalPid(in);
                    Object request;
                    try {
                        request = read(in);
                    } catch (IllegalArgumentException refused) {
                        replyError(ref, "node " + node.name() + " refused the request: " + refused.getMessage());
                        return;
                    }
                    if (kind == CALL) {
                        remote.call(to, ref, caller, request);
                    } else if (request instanceof ExitReason reason) {
                        remote.stop(to, ref, caller, reason);
                    } else {
                        replyError(ref, "malformed stop request");
                    }
                }
                case REPLY -> {
                    long ref = in.readLong();
                    Object value;
                    try {
                        value = read(in);
                    } catch (IllegalArgumentException refused) {
                        remote.replyError(ref, "the reply was refused by node " + node.name() + ": " + refused.getMessage());
                        return;
                    }
                    remote.reply(ref, value);
                }
                case CALL_FAILED -> {
                    long ref = in.readLong();
                    remote.callFailed(ref, readReason(in));
                }
                case REPLY_ERROR -> {
                    long ref = in.readLong();
                    remote.replyError(ref, in.readUTF());
                }
                case LINK -> {
                    Pid from = pids.read(in);
                    remote.link(from, pids.read(in));
                }
                case UNLINK -> {
                    Pid from = pids.read(in);
                    remote.unlink(from, pids.read(in));
                }
                case EXIT -> {
                    Pid from = readOptionalPid(in);
                    Pid to = pids.read(in);
                    remote.exit(from, to, readReason(in));
                }
                case LINK_EXIT -> {
                    Pid from = pids.read(in);
                    Pid to = pids.read(in);
                    remote.linkExit(from, to, readReason(in));
                }
                case WATCH -> remote.watch(pids.read(in));
                case DIED -> {
                    Pid target = pids.read(in);
                    remote.died(target, readReason(in));
                }
                case WHEREIS -> {
                    long req = in.readLong();
                    Optional<Pid> found = node.whereis(read(in));
                    post(frame(WHEREIS_REPLY, d -> {
                        d.writeLong(req);
                        writeOptionalPid(found.orElse(null), d);
                    }));
                }
                case WHEREIS_REPLY -> {
                    long req = in.readLong();
                    Pid found = readOptionalPid(in);
                    Lookup k = lookups.get(req);
                    if (k != null) {
                        k.answer.complete(Optional.ofNullable(found));
                    }
                }
                case REG_UNREGISTER -> registry.unregisterLocal(read(in));
                case PUBLISH -> {
                    Object topic = read(in);
                    pubsub.deliverLocal(topic, read(in));
                }
                default -> throw new IllegalArgumentException("unknown frame kind " + kind);
            }
        }
    }

    // ------------------------------------------------------------------ registry and pubsub frames

    boolean isLocal(Pid pid) {
        return pid.node().equals(node.name()) && pid.creation() == node.creation() && pid.id() > 0;
    }

    /** The pid of process {@code id} of {@code nodeName} here, or null if that node is not connected. */
    Pid remotePid(String nodeName, int creation, long id) {
        Link l = byName.get(nodeName);
        return l != null && l.remote.isConnected() && l.remote.creation() == creation ? l.remote.pid(id) : null;
    }

    /** The pid of a process of a node not connected yet: dead here, with {@code noconnection}. */
    Pid unreachablePid(String nodeName, int creation, long id) {
        return RemoteNode.deadPid(node, nodeName, creation, id, ExitReason.noconnection());
    }

    /**
     * Sends {@code frame} to every member, from the serial thread in the order asked: a name's
     * release runs in its process's exit hook, which must not wait on the network.
     */
    void multicast(byte[] frame) {
        if (closed) {
            return;
        }
        try {
            outbox.execute(() -> {
                try {
                    channel.send(new BytesMessage(null, seal(frame)));
                } catch (Exception e) {
                    if (!closed) {
                        LOG.debug("cluster_multicast_failed node={} problem={}", node.name(), e.toString());
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed meanwhile: nothing more is sent
        }
    }

    byte[] registryAdd(Object key, Pid pid) {
        return frame(REG_ADD, d -> {
            d.writeUTF(node.name());
            codec.write(key, d, pids);
            pids.write(pid, d);
        });
    }

    byte[] registryRemove(Object key, Pid pid) {
        return frame(REG_REMOVE, d -> {
            d.writeUTF(node.name());
            codec.write(key, d, pids);
            pids.write(pid, d);
        });
    }

    private byte[] syncFrame() {
        Map<Object, Pid> own = registry.ownClaims();
        return frame(REG_SYNC, d -> {
            d.writeUTF(node.name());
            d.writeInt(own.size());
            for (Map.Entry<Object, Pid> e : own.entrySet()) {
                codec.write(e.getKey(), d, pids);
                pids.write(e.getValue(), d);
            }
        });
    }

    byte[] groupFrame(boolean join, Object group, Pid pid) {
        return frame(join ? PG_JOIN : PG_LEAVE, d -> {
            d.writeUTF(node.name());
            codec.write(group, d, pids);
            pids.write(pid, d);
        });
    }

    private byte[] groupSyncFrame() {
        List<Map.Entry<Object, Pid>> own = groups.ownMemberships();
        return frame(PG_SYNC, d -> {
            d.writeUTF(node.name());
            d.writeInt(own.size());
            for (Map.Entry<Object, Pid> e : own) {
                codec.write(e.getKey(), d, pids);
                pids.write(e.getValue(), d);
            }
        });
    }

    void askToUnregister(String owner, Object key) {
        Link l = byName.get(owner);
        if (l != null) {
            l.post(frame(REG_UNREGISTER, d -> codec.write(key, d, pids)));
        }
    }

    byte[] publishFrame(Object topic, Object message) {
        return frame(PUBLISH, d -> {
            codec.write(topic, d, pids);
            codec.write(message, d, pids);
        });
    }

    void toEveryNode(byte[] frame) {
        for (Link l : byName.values()) {
            if (l.remote.isConnected()) {
                l.post(frame);
            }
        }
    }

    private ClusterRegistry.Claim readClaim(DataInput in) throws IOException {
        String n = in.readUTF();
        int creation = in.readInt();
        long id = in.readLong();
        return new ClusterRegistry.Claim(n, creation, id, null);
    }

    private void registryFrame(int kind, DataInput in) throws IOException {
        String owner = in.readUTF();
        if (owner.equals(node.name())) {
            return; // our own (a name conflict is logged where the HELLO is)
        }
        switch (kind) {
            case PG_JOIN -> {
                Object group = read(in);
                groups.joined(group, readClaim(in));
            }
            case PG_LEAVE -> {
                Object group = read(in);
                groups.left(group, readClaim(in));
            }
            case PG_SYNC -> {
                int n = in.readInt();
                List<Map.Entry<Object, ClusterRegistry.Claim>> ms = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Object group = read(in);
                    ms.add(Map.entry(group, readClaim(in)));
                }
                groups.synced(owner, ms);
            }
            case REG_ADD -> {
                Object key = read(in);
                registry.added(key, readClaim(in));
            }
            case REG_REMOVE -> {
                Object key = read(in);
                registry.removed(key, readClaim(in));
            }
            default -> {
                int n = in.readInt();
                Map<Object, ClusterRegistry.Claim> claims = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object key = read(in);
                    claims.put(key, readClaim(in));
                }
                registry.synced(owner, claims);
            }
        }
    }
}
