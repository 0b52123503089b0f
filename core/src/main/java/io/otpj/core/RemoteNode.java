package io.otpj.core;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A connection from a local {@link Node} to another node, as the runtime sees it: the incoming
 * half a transport (such as {@code otpj-cluster}) calls with what arrives, and the maker of the
 * other node's pids. The outgoing half is the {@link NodeTransport} given to {@link #connect}.
 *
 * <p>Remote pids. {@link #pid(long)} gives the pid of a process of the other node: a value equal
 * to the pid that node has for it, backed in this node by a <em>proxy</em>, a stand-in with no
 * thread and no mailbox. Everything aimed at the proxy goes to the other node: sends, casts and
 * calls (encoded on the sender's thread: a message that cannot be encoded fails the send),
 * exit signals, links and unlinks; a monitor or a waiting caller makes the proxy ask that node
 * (once) to tell it of the process's death. The proxy dies, and with it every local monitor,
 * link and waiting call on it is told, exactly once, when this node learns the process died
 * ({@link #died}, {@link #linkExit}), with the process's reason, or when the connection is lost
 * ({@link #disconnect}), with {@code noconnection}. So {@code Proc.isAlive} of a remote pid means
 * "not known to be dead". For one process, the same proxy backs every pid this connection hands
 * out while any of them is reachable.
 *
 * <p>Ordering: messages and signals from one local process to one remote process reach the
 * transport in the order the process sent them (see {@link NodeTransport}); what arrives is
 * applied in the order the transport calls these methods.
 *
 * <p>Thread-safety: every method may be called from any thread. The incoming methods run no
 * user code except what a death runs anyway (a registry's exit hook when a link kills a process),
 * and never block. Bad input: a pid of the wrong node for a parameter throws
 * {@link IllegalArgumentException} and changes nothing.
 */
public final class RemoteNode {

    private final Node local;
    private final String name;
    private final int creation;
    private final NodeTransport transport;
    /** The proxies by process id; weak, so a pid nobody holds costs nothing here. */
    private final ConcurrentHashMap<Long, ProxyRef> proxies = new ConcurrentHashMap<>();
    private final ReferenceQueue<Pid> cleared = new ReferenceQueue<>();
    /** Calls this node made to the other one, by their number, until answered or given up. */
    private final ConcurrentHashMap<Long, From> calls = new ConcurrentHashMap<>();
    /** The number of each call in {@code calls} (From has identity equality): forgetting one is O(1). */
    private final ConcurrentHashMap<From, Long> refs = new ConcurrentHashMap<>();
    /**
     * Call numbers, one counter for every connection of the JVM: a reply from an earlier
     * connection to the same node (one the other side had not yet seen closed) can never
     * complete a call of a later one.
     */
    private static final AtomicLong NEXT_REF = new AtomicLong();
    /** The watches the other node asked for on local processes (one per process), dropped if it goes. */
    private final ConcurrentHashMap<Pcb, RemoteWatch> watches = new ConcurrentHashMap<>();
    /** Written once (true to false) by {@link #disconnect}; read by everyone. */
    private volatile boolean connected = true;

    private RemoteNode(Node local, String name, int creation, NodeTransport transport) {
        this.local = local;
        this.name = name;
        this.creation = creation;
        this.transport = transport;
    }

    /**
     * Connects {@code local} to the node {@code name} (of creation {@code creation}), whose
     * messages and signals go through {@code transport}.
     *
     * @param local the local node
     * @param name the other node's name
     * @param creation the other node's creation (a node started again under the same name has a
     *     new one, so pids of its earlier life are never confused with its new ones)
     * @param transport the outgoing half
     * @return the connection
     * @throws IllegalArgumentException if {@code name} is the local node's own name or blank
     * @throws NullPointerException if an argument is null
     */
    public static RemoteNode connect(Node local, String name, int creation, NodeTransport transport) {
        Objects.requireNonNull(local, "local node");
        Objects.requireNonNull(name, "remote node name");
        Objects.requireNonNull(transport, "transport");
        if (name.isBlank()) {
            throw new IllegalArgumentException("remote node name must not be blank");
        }
        if (name.equals(local.name())) {
            throw new IllegalArgumentException("cannot connect node " + name + " to itself");
        }
        return new RemoteNode(local, name, creation, transport);
    }

    /**
     * Returns a pid for a process that is known to be gone: equal to the pid it had, dead from
     * the start (a send to it is dropped, a link or monitor gets {@code reason} at once if it is
     * {@code noconnection}, else {@code noproc}). For a transport that reads a pid of a process
     * of its own node that no longer exists, or of a node it is not connected to.
     *
     * @param local the local node
     * @param node the name of the process's node
     * @param creation that node's creation
     * @param id the process's number there
     * @param reason {@code noproc} or {@code noconnection}: what it is dead of, as far as
     *     {@code local} knows
     * @return a dead pid
     * @throws NullPointerException if an argument is null
     */
    public static Pid deadPid(Node local, String node, int creation, long id, ExitReason reason) {
        Objects.requireNonNull(local, "local node");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(reason, "reason");
        return new Pcb(local, node, creation, id, reason).pid;
    }

    /**
     * Returns the other node's name.
     *
     * @return the other node's name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the other node's creation.
     *
     * @return the other node's creation
     */
    public int creation() {
        return creation;
    }

    /**
     * Returns the local node.
     *
     * @return the node this connection belongs to
     */
    public Node localNode() {
        return local;
    }

    /**
     * Tells whether the connection is up: false once {@link #disconnect} has run.
     *
     * @return whether the connection is up
     */
    public boolean isConnected() {
        return connected;
    }

    /**
     * Returns the pid of process {@code id} of the other node. After {@link #disconnect}, the
     * pid of a process not seen before is dead with {@code noconnection}.
     *
     * @param id the process's number in the other node
     * @return its pid, equal to the other node's pid for it
     * @throws IllegalArgumentException if {@code id} is not positive
     */
    public Pid pid(long id) {
        if (id <= 0) {
            throw new IllegalArgumentException("process id must be positive: " + id);
        }
        purge();
        ProxyRef r = proxies.get(id);
        Pid p = r == null ? null : r.get();
        if (p != null) {
            return p;
        }
        synchronized (this) {
            r = proxies.get(id);
            p = r == null ? null : r.get();
            if (p == null) {
                Pcb proxy = new Pcb(local, this, id);
                p = proxy.pid;
                proxies.put(id, new ProxyRef(p, id, cleared));
                if (!connected) {
                    proxy.die(Reasons.NOCONNECTION);
                }
            }
            return p;
        }
    }

    /**
     * Tells whether {@code pid} is the pid of a process of the other node, as this connection
     * backs it.
     *
     * @param pid any pid
     * @return whether it is one of this connection's remote pids
     */
    public boolean owns(Pid pid) {
        return pid != null && pid.pcb.remote == this;
    }

    // ------------------------------------------------------------------ incoming

    /**
     * A message from the other node to a local process; dropped if the process is dead.
     *
     * @param to the local process
     * @param message the message
     * @throws IllegalArgumentException if {@code to} is not a process of the local node
     */
    public void send(Pid to, Object message) {
        Objects.requireNonNull(message, "message");
        localPcb(to).deliver(message);
    }

    /**
     * A GenServer cast from the other node to a local server.
     *
     * @param to the local server
     * @param request the cast's request
     * @throws IllegalArgumentException if {@code to} is not a process of the local node
     */
    public void cast(Pid to, Object request) {
        Objects.requireNonNull(request, "request");
        localPcb(to).deliver(new GenServerLoop.Cast(request));
    }

    /**
     * A GenServer call from the other node to a local server: the server's reply goes back with
     * {@link NodeTransport#reply}. A server already dead is reported with
     * {@link NodeTransport#died} ({@code noproc}), which fails the call there.
     *
     * @param to the local server
     * @param ref the other node's number for the call
     * @param caller the calling process (a pid of the other node), or null for a plain thread
     * @param request the request
     * @throws IllegalArgumentException if {@code to} is not a process of the local node, or
     *     {@code caller} is not of the other node
     */
    public void call(Pid to, long ref, Pid caller, Object request) {
        Objects.requireNonNull(request, "request");
        incomingCall(to, ref, caller, request);
    }

    /**
     * {@code GenServer.stop} from the other node, answered like a call.
     *
     * @param to the local server
     * @param ref the other node's number for the request
     * @param caller the calling process (of the other node), or null
     * @param reason the reason to stop with
     * @throws IllegalArgumentException as for {@link #call}
     */
    public void stop(Pid to, long ref, Pid caller, ExitReason reason) {
        Objects.requireNonNull(reason, "reason");
        incomingCall(to, ref, caller, new Sys.Stop(reason));
    }

    private void incomingCall(Pid to, long ref, Pid caller, Object request) {
        Pcb server = localPcb(to);
        Pcb from = caller == null ? null : proxy(caller);
        if (!server.isAlive()) {
            transport.callFailed(ref, Reasons.NOPROC); // this call only: the proxy hears the death by its watch
            return;
        }
        server.deliver(new RemoteFrom(request, server, from, this, ref));
    }

    /**
     * The reply to a call this node made; dropped if the call timed out or was given up.
     *
     * @param ref this node's number for the call
     * @param value the reply (may be null)
     */
    public void reply(long ref, Object value) {
        From f = calls.remove(ref);
        if (f != null) {
            refs.remove(f);
            f.complete(value);
        }
    }

    /**
     * A call this node made failed on the other node (its reply could not be sent, or the
     * request was refused): the caller throws {@link IllegalStateException} with
     * {@code problem}.
     *
     * @param ref this node's number for the call
     * @param problem what went wrong
     */
    public void replyError(long ref, String problem) {
        From f = calls.remove(ref);
        if (f != null) {
            refs.remove(f);
            f.complete(new Sys.Raised(new IllegalStateException("call to " + f.server.pid + " on node " + name
                    + " failed there: " + problem)));
        }
    }

    /**
     * A call this node made failed on the other node as a call to a dead server does: the caller
     * throws {@link ServerExitedException} with {@code reason}.
     *
     * @param ref this node's number for the call
     * @param reason why the server could not answer ({@code noproc}: it was dead when the call came)
     */
    public void callFailed(long ref, ExitReason reason) {
        Objects.requireNonNull(reason, "reason");
        From f = calls.remove(ref);
        if (f != null) {
            refs.remove(f);
            f.complete(new Completion.Failed(reason));
        }
    }

    /**
     * The other node linked its process {@code from} to the local process {@code to}: this is
     * the local half. If {@code to} is dead, {@code from}'s node is told at once
     * ({@code noproc}).
     *
     * @param from the process of the other node
     * @param to the local process
     * @throws IllegalArgumentException if a pid is not of the node its parameter says
     */
    public void link(Pid from, Pid to) {
        Pcb proxy = proxy(from);
        Pcb target = localPcb(to);
        // The target's half first: a dead target tells the linker at once; a dying one through
        // its late-link watch, which signals the proxy's half added next.
        if (target.linkFrom(proxy) == Pcb.SETTLED) {
            transport.linkExit(to, from, target.lateReason());
            return;
        }
        // The proxy's half: if the connection was lost meanwhile, the link breaks at once with
        // the proxy's reason (noconnection), as if it had been made just before.
        if (proxy.linkFrom(target) == Pcb.SETTLED) {
            Pcb.Signals work = new Pcb.Signals();
            target.linkSignal(proxy, proxy.lateReason(), work);
            work.drain();
        }
    }

    /**
     * The other node removed a link between its process {@code from} and the local {@code to}.
     *
     * @param from the process of the other node
     * @param to the local process
     * @throws IllegalArgumentException if a pid is not of the node its parameter says
     */
    public void unlink(Pid from, Pid to) {
        Pcb proxy = proxy(from);
        Pcb target = localPcb(to);
        target.removeLink(proxy);
        proxy.removeLink(target);
    }

    /**
     * An exit signal ({@code Proc.exit}) from the other node to a local process, applied by OTP's
     * rules (a trapping process gets an {@link Exit} message naming {@code from}).
     *
     * @param from the signalling process of the other node, or null for a plain thread there
     * @param to the local process
     * @param reason the signal
     * @throws IllegalArgumentException if a pid is not of the node its parameter says
     */
    public void exit(Pid from, Pid to, ExitReason reason) {
        Objects.requireNonNull(reason, "reason");
        Pcb sender = from == null ? Pcb.OUTSIDE : proxy(from);
        localPcb(to).exitSignal(sender, reason);
    }

    /**
     * A process of the other node died while linked to a local one (or was dead when linked):
     * its proxy dies with {@code reason}, which signals every local process linked to it and
     * tells every local monitor and waiting caller.
     *
     * @param from the dead process, of the other node
     * @param to the local process it was linked to
     * @param reason why it is dead
     * @throws IllegalArgumentException if a pid is not of the node its parameter says
     */
    public void linkExit(Pid from, Pid to, ExitReason reason) {
        Objects.requireNonNull(reason, "reason");
        localPcb(to);
        proxyDied(proxy(from), reason);
    }

    /**
     * The other node asks to be told ({@link NodeTransport#died}) when a local process dies; told
     * at once if it is already dead.
     *
     * @param target the local process
     * @throws IllegalArgumentException if {@code target} is not of the local node
     */
    public void watch(Pid target) {
        Pcb p = localPcb(target);
        RemoteWatch w = new RemoteWatch(p);
        if (watches.putIfAbsent(p, w) != null) {
            return; // already watched for that node (a new proxy there after the old one was collected)
        }
        if (!p.addWatch(w)) {
            watches.remove(p, w);
            // Already gone: its reason, which the other node's links on it must carry too.
            transport.died(target, p.exitReason != null ? p.exitReason : Reasons.NOPROC);
        } else if (!connected) {
            // Lost while adding: don't keep a watch for a node that's gone.
            watches.remove(p, w);
            p.removeWatch(w);
        }
    }

    /**
     * A process of the other node this node asked to {@link NodeTransport#watch} has died.
     *
     * @param target the dead process, of the other node
     * @param reason why
     * @throws IllegalArgumentException if {@code target} is not of the other node
     */
    public void died(Pid target, ExitReason reason) {
        Objects.requireNonNull(reason, "reason");
        proxyDied(proxy(target), reason);
    }

    /**
     * The connection is lost: every proxy of the other node's processes dies with
     * {@code noconnection} (each local monitor, link and waiting call told once), calls waiting
     * for a reply fail, the watches the other node held on local processes are dropped, and from
     * now on nothing is sent through the transport. Idempotent.
     */
    public void disconnect() {
        synchronized (this) {
            if (!connected) {
                return;
            }
            connected = false;
        }
        for (RemoteWatch w : watches.values()) {
            w.target.removeWatch(w);
        }
        watches.clear();
        List<Pcb> all = new ArrayList<>();
        for (ProxyRef r : proxies.values()) {
            Pid p = r.get();
            if (p != null) {
                all.add(p.pcb);
            }
        }
        for (Pcb p : all) {
            p.die(Reasons.NOCONNECTION);
        }
        // Callers parked on a proxy were failed by its death; any left (never parked) are now.
        for (From f : calls.values()) {
            f.complete(new Completion.Failed(Reasons.NOCONNECTION));
        }
        calls.clear();
        refs.clear();
    }

    @Override
    public String toString() {
        return "RemoteNode[" + local.name() + " -> " + name + "." + creation + (connected ? "" : ", disconnected") + "]";
    }

    // ------------------------------------------------------------------ outgoing (runtime side)

    /** A message for the proxy {@code proxy}, on the sender's thread, inside its effect. */
    void deliver(Pcb proxy, Object message) {
        if (!connected) {
            return;
        }
        switch (message) {
            case From f -> {
                // The watch goes first: a death after the call reaches this node with its reason.
                proxy.watchRemotely();
                long ref = NEXT_REF.incrementAndGet();
                calls.put(ref, f);
                refs.put(f, ref);
                Pid caller = f.caller == null ? null : f.caller.pid;
                try {
                    switch (f.request) {
                        case Sys.Stop(ExitReason reason) -> transport.stop(proxy.pid, ref, caller, reason);
                        case Sys.Request r -> throw new IllegalArgumentException("sys request " + r.getClass().getSimpleName()
                                + " cannot be sent to a process on another node (" + proxy.pid + ")");
                        default -> transport.call(proxy.pid, ref, caller, f.request);
                    }
                } catch (RuntimeException e) {
                    calls.remove(ref);
                    refs.remove(f);
                    throw e;
                }
            }
            case GenServerLoop.Cast c -> transport.cast(proxy.pid, c.request());
            default -> transport.send(proxy.pid, message);
        }
    }

    void exit(Pcb from, Pcb proxy, ExitReason reason) {
        if (connected) {
            transport.exit(from == Pcb.OUTSIDE ? null : from.pid, proxy.pid, reason);
        }
    }

    void linkExit(Pcb from, Pcb proxy, ExitReason reason) {
        if (connected) {
            transport.linkExit(from.pid, proxy.pid, reason);
        }
    }

    void link(Pcb from, Pcb proxy) {
        if (connected) {
            transport.link(from.pid, proxy.pid);
        }
    }

    void unlink(Pcb from, Pcb proxy) {
        if (connected) {
            transport.unlink(from.pid, proxy.pid);
        }
    }

    void watch(Pcb proxy) {
        if (connected) {
            transport.watch(proxy.pid);
        }
    }

    /** A call to the other node gave up (timed out) or its server died: no reply is awaited any more. */
    void forget(From f) {
        Long ref = refs.remove(f);
        if (ref != null) {
            calls.remove(ref, f);
        }
    }

    /** The server's outcome for a call from the other node, sent back. */
    void sendReply(long ref, Object outcome) {
        if (!connected) {
            return;
        }
        if (outcome == Completion.OVERLOADED) {
            transport.replyError(ref, "the server's mailbox is full: the call was not queued");
            return;
        }
        if (outcome instanceof Sys.Raised(RuntimeException e)) {
            transport.replyError(ref, String.valueOf(e));
            return;
        }
        if (outcome instanceof Completion.Failed(ExitReason r)) {
            transport.replyError(ref, "the server exited: " + r);
            return;
        }
        try {
            transport.reply(ref, outcome == Completion.NULL ? null : outcome);
        } catch (IllegalArgumentException e) {
            transport.replyError(ref, "the reply could not be sent: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ internals

    private void proxyDied(Pcb proxy, ExitReason reason) {
        proxy.die(reason); // its waiting calls fail, and each forgets itself (Completion.serverGone)
    }

    private Pcb localPcb(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        Pcb p = pid.pcb;
        if (p.remote != null || p.node != local) {
            throw new IllegalArgumentException(pid + " is not a process of node " + local.name());
        }
        return p;
    }

    private Pcb proxy(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        if (pid.pcb.remote != this) {
            throw new IllegalArgumentException(pid + " is not a process of node " + name + " through this connection");
        }
        return pid.pcb;
    }

    private void purge() {
        Object r;
        while ((r = cleared.poll()) != null) {
            ProxyRef p = (ProxyRef) r;
            proxies.remove(p.id, p);
        }
    }

    private static final class ProxyRef extends WeakReference<Pid> {
        final long id;

        ProxyRef(Pid pid, long id, ReferenceQueue<Pid> q) {
            super(pid, q);
            this.id = id;
        }
    }

    /** The other node's watch on a local process: tells it of the death, once. */
    private final class RemoteWatch extends DeathWatch {
        final Pcb target;

        RemoteWatch(Pcb target) {
            this.target = target;
        }

        /**
         * The real reason even for a watch that came late: the proxy's death carries it to its
         * links there as well as its monitors (a monitor set after the death hears the reason,
         * not {@code noproc}: the other node cannot tell when its monitor was set).
         */
        @Override
        void processDied(Pcb process, ExitReason reason) {
            watches.remove(target, this);
            if (connected) {
                transport.died(process.pid, reason);
            }
        }
    }
}
