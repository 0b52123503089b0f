package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Many call requests in flight at once, their replies collected in the order they arrive: Erlang's
 * request id collections ({@code gen_server:send_request/4}, {@code reqids_new/0} and
 * {@code receive_response/3}). One thread sends a batch of requests without waiting between them,
 * to one server (a pipeline) or to many (a scatter/gather), and then takes each reply as it comes.
 *
 * <pre>{@code
 * try (RequestSet<String> set = RequestSet.create()) {
 *     for (String shard : shards) {
 *         set.send(Name.local(shard), new Count(), shard);     // all sent before any is awaited
 *     }
 *     for (RequestSet.Response<String> r : set.awaitAll(Duration.ofSeconds(5))) {
 *         switch (r) {
 *             case RequestSet.Reply<String>(String shard, var server, Object n) -> total += (Integer) n;
 *             case RequestSet.Failure<String>(String shard, var server, ExitReason why) -> missing.add(shard);
 *         }
 *     }
 *     // set.isEmpty() is false here if some shard did not answer within 5 s
 * }
 * }</pre>
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Each request is answered exactly once in the set: by the server's reply, or by a
 *       {@link Failure} when the server exits before replying (at once, as a call fails), is not
 *       alive or not registered when the request is sent ({@code noproc}: unlike
 *       {@link GenServer#sendRequest}, which throws, so that one absent server does not cost the
 *       others their requests), or refuses it because its bounded mailbox is full
 *       ({@code mailbox_full}).</li>
 *   <li>Each server receives the requests sent to it in the order they were sent (per-pair FIFO);
 *       responses come back in the order they arrived, whatever the order of sending.</li>
 *   <li>A timeout abandons nothing: {@link #awaitNext} gives up waiting and the requests stay
 *       pending, to be awaited again. A reply after {@link #abandon} (or {@link #close}) is dropped,
 *       as is a reply to a call that timed out.</li>
 *   <li>Memory consistency: actions of a server before its reply happen-before the return of the
 *       {@code awaitNext} or {@code awaitAll} that yields it.</li>
 * </ul>
 *
 * <p>Threads: a set belongs to the thread that created it (a process or a plain thread): only it
 * may send, await, poll or abandon, since replies wake that thread; any other thread gets
 * {@link IllegalStateException}. A process killed while it waits unwinds as from any wait, and its
 * pending requests are abandoned. A plain thread interrupted while it waits gets
 * {@link CallInterruptedException} with its interrupt status set; its requests stay pending.
 *
 * <p>Requests still pending keep a watch on their server until they are answered or abandoned (that
 * is how a server's death reaches them): a set given up with requests pending should be
 * {@linkplain #abandon abandoned}, which try-with-resources does through {@link #close}.
 *
 * @param <L> the type of the labels that tell the responses apart
 */
public final class RequestSet<L> implements AutoCloseable {

    /**
     * The answer to one request of a set.
     *
     * @param <L> the label type
     */
    public sealed interface Response<L> permits Reply, Failure {
        /**
         * The label the request was sent with.
         *
         * @return the label
         */
        L label();

        /**
         * The server the request was sent to.
         *
         * @return the server, as the sender named it
         */
        ServerRef server();
    }

    /**
     * A server's reply.
     *
     * @param label the request's label
     * @param server the server, as the sender named it
     * @param value the reply, which may be null
     * @param <L> the label type
     */
    public record Reply<L>(L label, ServerRef server, Object value) implements Response<L> {}

    /**
     * A request that will get no reply: the server exited before replying (its exit reason), was
     * not alive or not registered ({@code noproc}), or its bounded mailbox refused the request
     * ({@code mailbox_full}).
     *
     * @param label the request's label
     * @param server the server, as the sender named it
     * @param reason why there is no reply
     * @param <L> the label type
     */
    public record Failure<L>(L label, ServerRef server, ExitReason reason) implements Response<L> {}

    private static final VarHandle ARRIVED, PARKED;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ARRIVED = l.findVarHandle(RequestSet.class, "arrived", Member.class);
            PARKED = l.findVarHandle(RequestSet.class, "ownerParked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /*
     * Fields. Wake-up protocol as in Completion, with the set's stack in place of the cell: a
     * completer CASes the member's outcome, pushes the member onto `arrived` (CAS) and then loads
     * `ownerParked`; the owner stores `ownerParked = 1` and then loads `arrived` before parking. All
     * volatile, hence sequentially consistent: one of the two loads sees the other side's write.
     *
     *   field        writer                        reader   access
     *   arrived      completers (push), owner      both     volatile (CAS push, getAndSet drain)
     *   ownerParked  owner                         any      volatile store / opaque clear
     *   owner        constructor                   any      final
     *   pending, ready, unwatched, size: owner only, plain.
     */
    private final Thread owner;
    private final Pcb self;
    @SuppressWarnings("unused") private volatile Member arrived;
    @SuppressWarnings("unused") private volatile int ownerParked;
    /** Owner only: every request not yet handed out, each knowing its index here. */
    private final ArrayList<Member> pending = new ArrayList<>();
    /** Owner only: answered requests drained from {@code arrived}, in arrival order. */
    private final ArrayDeque<Member> ready = new ArrayDeque<>();
    /** Owner only: requests whose death watch is not registered yet (registered before a park). */
    private final ArrayList<Member> unwatched = new ArrayList<>();

    private RequestSet(Thread owner, Pcb self) {
        this.owner = owner;
        this.self = self;
    }

    /**
     * Creates an empty set owned by the calling thread.
     *
     * @param <L> the label type
     * @return a new set
     */
    public static <L> RequestSet<L> create() {
        return new RequestSet<>(Thread.currentThread(), Pcb.current());
    }

    /**
     * Sends a call request without waiting for its reply. The server handles it in
     * {@link GenServer#handleCall} like any call.
     *
     * @param server the server
     * @param request the request; never null
     * @param label what the response will carry to tell it apart; never null (labels need not be
     *     unique)
     * @throws NullPointerException if an argument is null
     * @throws CallingSelfException if a process sends to itself (it could never answer while it
     *     waits); the set is unchanged
     * @throws IllegalStateException from another thread than the set's owner
     */
    public void send(ServerRef server, Object request, L label) {
        Objects.requireNonNull(server, "server must not be null");
        Objects.requireNonNull(request, "request must not be null");
        Objects.requireNonNull(label, "label must not be null");
        checkOwner();
        if (self == null) {
            Waiter.forPlainThread().reduce();
        } else if (self.exitReason != null) {
            throw ProcessExit.INSTANCE;
        }
        Pcb target = Proc.resolve(server);
        if (target == self && self != null) {
            self.reduce();
            throw new CallingSelfException("process " + self.pid + " sent a request to itself: " + request,
                    Reasons.CALLING_SELF, server);
        }
        Member m = new Member(this, request, target, self, owner, server, label);
        m.index = pending.size();
        pending.add(m);
        if (target == null || !target.isAlive()) {
            if (self != null) {
                self.reduce();
            }
            m.complete(new Completion.Failed(Reasons.NOPROC));
            return;
        }
        unwatched.add(m);
        Pcb.sendAs(self, target, m);
    }

    /**
     * Counts the requests still in the set.
     *
     * @return how many requests have not been handed out as a response yet (the owner's count;
     *     from another thread, a stale value)
     */
    public int size() {
        return pending.size();
    }

    /**
     * Tells whether the set has nothing left to await.
     *
     * @return whether every request sent has been handed out as a response (or abandoned)
     */
    public boolean isEmpty() {
        return pending.isEmpty();
    }

    /**
     * Waits for the next response, whichever request it answers.
     *
     * @param timeout how long to wait; {@link Proc#INFINITY} waits until one comes (a server's
     *     death is a response); {@link Duration#ZERO} only looks
     * @return the response, or empty if none came within {@code timeout} (nothing is abandoned)
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if the set has no pending request, or from another thread than
     *     its owner
     * @throws CallInterruptedException a plain owner thread was interrupted while it waited
     */
    public Optional<Response<L>> awaitNext(Duration timeout) {
        long nanos = Proc.toNanos(timeout, "timeout");
        checkOwner();
        if (pending.isEmpty()) {
            throw new IllegalStateException("the request set has no pending request");
        }
        Member m = take(nanos < 0 ? -1L : System.nanoTime() + nanos, nanos >= 0);
        return m == null ? Optional.empty() : Optional.of(handOut(m));
    }

    /**
     * Returns the next response if one has arrived, without waiting.
     *
     * @return the response, or empty if none has arrived or none is pending
     * @throws IllegalStateException from another thread than the set's owner
     */
    public Optional<Response<L>> poll() {
        checkOwner();
        Member m = ready();
        return m == null ? Optional.empty() : Optional.of(handOut(m));
    }

    /**
     * Collects responses until every pending request has one or {@code timeout} passes.
     *
     * @param timeout the limit for all of them together; {@link Proc#INFINITY} for none
     * @return the responses that came, in arrival order (empty if none was pending); requests
     *     still unanswered at the deadline stay pending ({@link #isEmpty} tells)
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException from another thread than the set's owner
     * @throws CallInterruptedException a plain owner thread was interrupted while it waited; the
     *     responses collected so far stay in the set, to be taken again
     */
    public List<Response<L>> awaitAll(Duration timeout) {
        long nanos = Proc.toNanos(timeout, "timeout");
        checkOwner();
        boolean timed = nanos >= 0;
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        List<Member> taken = new ArrayList<>(pending.size());
        while (taken.size() < pending.size()) {
            Member m;
            try {
                m = take(deadline, timed);
            } catch (CallInterruptedException e) {
                // Nothing taken is lost to the interrupt: back to the front, in arrival order.
                for (int i = taken.size() - 1; i >= 0; i--) {
                    ready.addFirst(taken.get(i));
                }
                throw e;
            }
            if (m == null) {
                break;
            }
            taken.add(m);
        }
        List<Response<L>> out = new ArrayList<>(taken.size());
        for (Member m : taken) {
            out.add(handOut(m));
        }
        return out;
    }

    /**
     * Abandons every pending request: their replies, if any come, are dropped, and the set is
     * empty afterwards. Responses that arrived but were not taken are dropped too.
     *
     * @throws IllegalStateException from another thread than the set's owner
     */
    public void abandon() {
        checkOwner();
        abandonAll();
    }

    /** {@link #abandon}: the set can be used again afterwards. */
    @Override
    public void close() {
        abandon();
    }

    @Override
    public String toString() {
        return "#RequestSet<" + pending.size() + " pending>";
    }

    // ------------------------------------------------------------------ internals

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a request set is used only by the thread that created it");
        }
    }

    /** Completer side, called by {@link Completion#complete} after its CAS won. Any thread. */
    void arrived(Member m) {
        Member h;
        do {
            h = (Member) ARRIVED.getVolatile(this);
            m.nextArrived = h;
        } while (!ARRIVED.compareAndSet(this, h, m));
        if ((int) PARKED.getVolatile(this) == 1) {
            Ticker.unpark(owner);
        }
    }

    /** Owner: the next answered request, or null. Drains the stack into {@link #ready} in arrival order. */
    private Member ready() {
        for (;;) {
            Member m = ready.pollFirst();
            if (m == null) {
                if ((Member) ARRIVED.getVolatile(this) == null) {
                    return null;
                }
                Member h = (Member) ARRIVED.getAndSet(this, null);
                // The stack holds the newest first: adding each at the front restores arrival order.
                for (Member x = h; x != null; ) {
                    Member n = x.nextArrived;
                    x.nextArrived = null;
                    ready.addFirst(x);
                    x = n;
                }
                continue;
            }
            if (m.index >= 0) {
                return m;
            }
            // Abandoned: its reply won the race with abandon's close and was pushed afterwards.
        }
    }

    /**
     * Owner: waits for an answered request until {@code deadline} (if {@code timed}).
     *
     * @return it, or null when the deadline passed
     */
    private Member take(long deadline, boolean timed) {
        Member m = ready();
        if (m != null || (timed && deadline - System.nanoTime() <= 0)) {
            return m;
        }
        Waiter w = self != null ? self : Waiter.forPlainThread();
        Ticker.Deadline timer = null;
        boolean interrupted = false;
        w.begin();
        try {
            for (int step = 0; ; step++) {
                m = ready();
                if (m != null) {
                    w.satisfied();
                    return m;
                }
                if (self != null && self.exitReason != null) {
                    abandonAll();
                    throw ProcessExit.INSTANCE;
                }
                if (timed && (step & 63) == 0 && deadline - System.nanoTime() <= 0) {
                    return null;
                }
                if (w.spin(step, true, null, false)) {
                    continue;
                }
                if (!unwatched.isEmpty()) {
                    watchAll(); // from here on a server's death answers its requests while we park
                    continue;
                }
                if (self != null) {
                    self.parking();
                }
                w.sliceEnds();
                PARKED.setVolatile(this, 1);
                if ((Member) ARRIVED.getVolatile(this) == null && ready.isEmpty()) {
                    if (!timed) {
                        LockSupport.park(this);
                    } else if (deadline - System.nanoTime() > 0) {
                        if (timer == null) {
                            timer = Ticker.unparkAt(deadline);
                        }
                        LockSupport.park(this);
                    }
                }
                PARKED.setOpaque(this, 0);
                if (self != null) {
                    self.unparked();
                }
                if (Thread.interrupted()) {
                    if (self == null) {
                        interrupted = true;
                        throw new CallInterruptedException("interrupted while awaiting " + pending.size()
                                + " requests", ExitReason.of("interrupted"), null);
                    }
                    if (self.exitReason != null) {
                        abandonAll();
                        throw ProcessExit.INSTANCE;
                    }
                    interrupted = true; // not ours to consume: set again when we return
                }
                if (timed && deadline - System.nanoTime() <= 0) {
                    m = ready();
                    return m;
                }
            }
        } finally {
            if (timer != null) {
                timer.cancel();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Owner: registers a death watch for every request sent since the last park. */
    private void watchAll() {
        for (Member m : unwatched) {
            if (m.outcome() != Completion.PENDING || m.index < 0) {
                continue; // answered already, or abandoned
            }
            if (m.server.addWatch(m)) {
                m.watched = true;
            } else {
                m.complete(new Completion.Failed(m.server.exitReason)); // its death is already settled
            }
        }
        unwatched.clear();
    }

    /** Owner: turns an answered request into its response and forgets it. */
    @SuppressWarnings("unchecked")
    private Response<L> handOut(Member m) {
        forget(m);
        Object o = m.outcome();
        if (o == Completion.NULL) {
            return new Reply<>((L) m.label, m.ref, null);
        }
        if (o == Completion.OVERLOADED) {
            return new Failure<>((L) m.label, m.ref, MailboxBounds.MAILBOX_FULL);
        }
        if (o instanceof Completion.Failed(ExitReason r)) {
            return new Failure<>((L) m.label, m.ref, r);
        }
        if (o instanceof Sys.Raised(RuntimeException e)) {
            throw e;
        }
        return new Reply<>((L) m.label, m.ref, o);
    }

    /** Owner: removes {@code m} from the pending list (swap with the last) and drops its watch. */
    private void forget(Member m) {
        int i = m.index;
        if (i < 0) {
            return;
        }
        Member last = pending.removeLast();
        if (last != m) {
            pending.set(i, last);
            last.index = i;
        }
        m.index = -1;
        unwatch(m);
    }

    /** Owner: drops {@code m}'s death watch on its server, if registered. */
    private static void unwatch(Member m) {
        if (m.watched) {
            m.watched = false;
            m.server.removeWatch(m);
        }
    }

    private void abandonAll() {
        for (Member m : pending) {
            m.close();
            m.index = -1;
            unwatch(m);
        }
        pending.clear();
        ready.clear();
        unwatched.clear();
        ARRIVED.setVolatile(this, null);
    }

    /**
     * One request of a set: a call's reply cell whose completion goes to its set. The fields other
     * than {@link #nextArrived} are the owner's, plain; {@code nextArrived} is written by the
     * completer before its publishing CAS and read by the owner after the draining getAndSet.
     */
    static final class Member extends From {
        final RequestSet<?> set;
        final ServerRef ref;
        final Object label;
        /** Owner: the index in {@code pending}, or -1 once handed out or abandoned. */
        int index;
        /** Owner: whether the death watch on the server is registered. */
        boolean watched;
        Member nextArrived;

        Member(RequestSet<?> set, Object request, Pcb server, Pcb caller, Thread waiter, ServerRef ref,
                Object label) {
            super(request, server, caller, waiter);
            this.set = set;
            this.ref = ref;
            this.label = label;
        }
    }
}
