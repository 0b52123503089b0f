package io.otpj.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.otpj.core.Node;
import io.otpj.core.NodeProcess;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Recording;
import jdk.jfr.consumer.EventStream;
import jdk.jfr.consumer.RecordedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Micrometer {@link MeterBinder} for one otpj {@link Node}: its processes by status, its longest
 * mailboxes, the messages its servers handle, its crashes, its supervisors' restarts and, if asked
 * for, the latency of the calls made from it. Every meter carries the tag {@code node} (the node's
 * name) and the tags given to {@link #withTags}; {@code docs/micrometer.md} lists the meters with their
 * tags, and shows a Prometheus scrape.
 *
 * {@snippet :
 * OtpjMetrics metrics = OtpjMetrics.forNode(node)
 *         .withTopMailboxes(5)
 *         .withSnapshotInterval(Duration.ofSeconds(10));
 * metrics.bindTo(registry);
 * // ... and when the node or the registry goes away:
 * metrics.close();
 * }
 *
 * <h2>Where the values come from</h2>
 * <ul>
 *   <li><b>Gauges and the messages-handled counter</b> read a snapshot of {@link Node#list()}, taken
 *       lazily by the first read after the previous one is older than the
 *       {@linkplain #withSnapshotInterval snapshot interval} (default 5 s). The listing costs
 *       O(processes) in time and a transient list of that size, so a scrape costs at most one listing
 *       per interval whatever the number of meters or registries reading it; the process count
 *       ({@code otpj.processes}) is read live, in O(1).</li>
 *   <li><b>The event counters and the call timer</b> are fed by otpj's JDK Flight Recorder events
 *       ({@code io.otpj.ProcessCrash}, {@code io.otpj.SupervisorRestart},
 *       {@code io.otpj.RestartIntensityReached} and, with {@link #withCallLatency}, {@code
 *       io.otpj.LongCallWait}), through an in-process recording of only these events (no stack
 *       traces, at most 30 s or 32 MB kept on disk) and an event stream over it, read by one daemon
 *       thread; the first {@link #bindTo} starts them, and {@link #close()} closes them. They are
 *       eventual: the stream delivers events in batches, about once a second, so a crash shows in
 *       its counter up to about a second (more on a loaded machine) after it happened. A series
 *       with a new tag value (a new behaviour, a new child) is registered at its first event, with
 *       that event counted. The events of other nodes in the same JVM are told apart by their pids
 *       and left out.</li>
 * </ul>
 * If the JVM has no Flight Recorder (or it cannot be started), the event meters are never registered
 * and a warning is logged (slf4j); the snapshot meters work as usual.
 *
 * <h2>Lifecycle</h2>
 * A binder is configured by its withers, each of which returns a new, unbound binder, then bound to
 * one or more registries. Binding again to a registry it is bound to does nothing. {@link #close()}
 * stops the event stream and removes the meters it registered from every registry; it is idempotent,
 * and a closed binder cannot be bound again. Bind one binder per node and registry: two binders of the
 * same node on one registry would share meters, and the first closed would remove them.
 *
 * <p>The stream's thread, {@code otpj-metrics-<node name>}, is a daemon: a binder never closed does
 * not keep the JVM from exiting.
 *
 * <p>Thread-safe: every method can be called from any thread, and the registries may read the meters
 * concurrently with events arriving and with {@link #close()}.
 */
public final class OtpjMetrics implements MeterBinder, AutoCloseable {

    /** The number of ranked mailbox gauges unless {@link #withTopMailboxes} says otherwise: 10. */
    public static final int DEFAULT_TOP_MAILBOXES = 10;

    /** How old the listing snapshot may get before a read takes a new one, unless set: 5 seconds. */
    public static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofSeconds(5);

    static final String CRASH = "io.otpj.ProcessCrash";
    static final String RESTART = "io.otpj.SupervisorRestart";
    static final String INTENSITY = "io.otpj.RestartIntensityReached";
    static final String CALL = "io.otpj.LongCallWait";

    /** The supervisor tag of a supervisor that had no local name when last seen. */
    static final String UNNAMED = "unnamed";
    /** The behaviour tag of a plain process's crash. */
    static final String PLAIN = "process";

    private static final Logger LOG = LoggerFactory.getLogger(OtpjMetrics.class);

    private final Node node;
    private final int topN;
    private final Duration interval;
    private final boolean callLatency;
    private final Tags extraTags;
    /** The extra tags and the node tag: on every meter. */
    private final Tags tags;
    private final Snapshots snapshots;
    /** The pid text of this node's processes is {@code <name.ID.creation>}: the prefix and the suffix. */
    private final String pidPrefix;
    private final String pidSuffix;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final List<Bound> bound = new ArrayList<>();
    /** The event counters' series, by name and tags: guarded by {@link #lock}. */
    private final Map<Series, AtomicLong> events = new LinkedHashMap<>();
    /** The recording and the stream over it: guarded by {@link #lock}. */
    private Events stream;
    /** Guarded by {@link #lock}: set once the stream could not be started, so it is not tried again. */
    private boolean noStream;
    /** Guarded by {@link #lock}. */
    private boolean closed;

    /**
     * The binder's own recording, started synchronously by {@link #bindTo} (so that nothing after it
     * is missed), and a stream over the JVM's disk repository from the recording's start, run by a
     * daemon thread of the binder (a {@code RecordingStream}'s {@code startAsync} thread is not a
     * daemon, and would keep the JVM alive if the binder were never closed).
     */
    private record Events(Recording recording, EventStream stream) {
        void close() {
            stream.close(); // its thread's start() returns
            recording.close();
        }
    }

    /** One event counter's identity. */
    private record Series(String name, String description, Tags tags) {}

    /** A registry this binder is bound to, and what it registered there. */
    private static final class Bound {
        final MeterRegistry registry;
        final List<Meter> meters = new ArrayList<>();
        final Map<String, Timer> timers = new HashMap<>();

        Bound(MeterRegistry registry) {
            this.registry = registry;
        }
    }

    private OtpjMetrics(Node node, int topN, Duration interval, boolean callLatency, Tags extraTags) {
        this.node = node;
        this.topN = topN;
        this.interval = interval;
        this.callLatency = callLatency;
        this.extraTags = extraTags;
        this.tags = extraTags.and("node", node.name());
        this.snapshots = new Snapshots(node, interval, topN);
        this.pidPrefix = "<" + node.name() + ".";
        this.pidSuffix = "." + node.creation() + ">";
    }

    /**
     * Creates a binder for {@code node}, with the defaults: the {@value #DEFAULT_TOP_MAILBOXES}
     * longest mailboxes, a snapshot at most every 5 seconds, no call latency, no tag but
     * {@code node}. Nothing runs until {@link #bindTo}.
     *
     * @param node the node to observe, e.g. {@link Node#defaultNode()} or {@link Node#current()}
     * @return a new, unbound binder
     * @throws NullPointerException if {@code node} is null
     */
    public static OtpjMetrics forNode(Node node) {
        Objects.requireNonNull(node, "node");
        return new OtpjMetrics(node, DEFAULT_TOP_MAILBOXES, DEFAULT_SNAPSHOT_INTERVAL, false, Tags.empty());
    }

    /**
     * Returns a binder like this one with {@code n} ranked mailbox gauges ({@code otpj.mailbox.length},
     * tag {@code rank} from 1 to {@code n}). Each rank is one time series per registry, so keep
     * {@code n} small.
     *
     * @param n how many of the longest mailboxes to show, at least 1
     * @return a new, unbound binder
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public OtpjMetrics withTopMailboxes(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("topMailboxes must be at least 1, was " + n);
        }
        return new OtpjMetrics(node, n, interval, callLatency, extraTags);
    }

    /**
     * Returns a binder like this one whose listing snapshot is taken at most once per {@code interval}
     * (lazily, by the first meter read after it is that old). Shorter is fresher and costs one
     * {@link Node#list()}, O(processes), more often; about the registry's scrape or step interval is
     * a good choice.
     *
     * @param interval how old a snapshot may get, positive
     * @return a new, unbound binder
     * @throws NullPointerException if {@code interval} is null
     * @throws IllegalArgumentException if {@code interval} is zero or negative
     */
    public OtpjMetrics withSnapshotInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        return new OtpjMetrics(node, topN, interval, callLatency, extraTags);
    }

    /**
     * Returns a binder like this one with (or without) the call latency timer {@code otpj.call.latency}
     * (tag {@code outcome}). Off by default, for its cost: it enables {@code io.otpj.LongCallWait}
     * with threshold 0 and no stack trace, so every {@code GenServer.call} in the JVM commits one JFR
     * event, which the recording writes to its disk repository and this binder's stream parses.
     * JFR's settings are JVM-wide: while this binder runs, any other recording in the JVM receives
     * these events too (and takes their stack trace if it asks for one).
     *
     * @param enabled whether to time the calls
     * @return a new, unbound binder
     */
    public OtpjMetrics withCallLatency(boolean enabled) {
        return new OtpjMetrics(node, topN, interval, enabled, extraTags);
    }

    /**
     * Returns a binder like this one that puts {@code tags} on every meter, besides {@code node}
     * (which a tag of the same key here does not replace). Keep their values few: each value is a
     * separate series of every meter.
     *
     * @param tags the tags, e.g. {@code Tags.of("app", "payments")}
     * @return a new, unbound binder
     * @throws NullPointerException if {@code tags} is null
     */
    public OtpjMetrics withTags(Iterable<Tag> tags) {
        Objects.requireNonNull(tags, "tags");
        return new OtpjMetrics(node, topN, interval, callLatency, Tags.of(tags));
    }

    /**
     * Registers this binder's meters with {@code registry}, and on the first call starts the event
     * stream. Binding again to the same registry does nothing.
     *
     * @param registry the registry
     * @throws NullPointerException if {@code registry} is null
     * @throws IllegalStateException if this binder is closed
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("this OtpjMetrics of node " + node.name() + " is closed");
            }
            for (Bound b : bound) {
                if (b.registry == registry) {
                    return;
                }
            }
            Bound b = new Bound(registry);
            registerSnapshotMeters(b);
            for (Map.Entry<Series, AtomicLong> e : events.entrySet()) {
                register(b, e.getKey(), e.getValue());
            }
            bound.add(b);
            if (stream == null && !noStream) {
                stream = startStream();
                noStream = stream == null;
            }
        }
    }

    /**
     * The processes with the longest non-empty mailboxes in the current snapshot (taking a new one
     * if it is older than the interval), longest first, ties in pid order: at most the
     * {@linkplain #withTopMailboxes top N}. It tells which process each {@code otpj.mailbox.length}
     * rank is, which the meters do not (see the class comment), for a log line, an alert's
     * handler or a page.
     *
     * @return the processes, as {@link Node#list()} saw them when the snapshot was taken
     */
    public List<NodeProcess> topMailboxes() {
        return snapshots.current().top();
    }

    /**
     * Stops the event stream and removes the meters this binder registered from every registry it is
     * bound to. Idempotent. Events not yet delivered when it is called are not counted.
     */
    @Override
    public void close() {
        Events s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            s = stream;
            stream = null;
            for (Bound b : bound) {
                for (Meter m : b.meters) {
                    b.registry.remove(m);
                }
                for (Timer t : b.timers.values()) {
                    b.registry.remove(t);
                }
            }
            bound.clear();
        }
        // Outside the lock: a handler waiting for it must be able to finish while the stream closes.
        if (s != null) {
            s.close();
        }
    }

    @Override
    public String toString() {
        return "OtpjMetrics[node=" + node.name() + ", topMailboxes=" + topN + ", snapshotInterval=" + interval
                + ", callLatency=" + callLatency + ", tags=" + extraTags + "]";
    }

    // ------------------------------------------------------------------ the snapshot meters

    private void registerSnapshotMeters(Bound b) {
        MeterRegistry r = b.registry;
        Snapshots s = snapshots;
        b.meters.add(Gauge.builder("otpj.processes", node, Node::processCount)
                .tags(tags)
                .description("Processes of the node whose threads have started and not ended, read live")
                .strongReference(true)
                .register(r));
        for (NodeProcess.Status st : NodeProcess.Status.values()) {
            b.meters.add(Gauge.builder("otpj.processes.status", s, x -> x.current().count(st))
                    .tags(tags)
                    .tag("status", st.name().toLowerCase(Locale.ROOT))
                    .description("Processes of the node by status, in the latest snapshot of its listing")
                    .strongReference(true)
                    .register(r));
        }
        for (int rank = 1; rank <= topN; rank++) {
            int k = rank;
            b.meters.add(Gauge.builder("otpj.mailbox.length", s, x -> x.current().lengthAt(k))
                    .tags(tags)
                    .tag("rank", Integer.toString(rank))
                    .description("Mailbox length of the process at this rank, longest first"
                            + " (0 if fewer processes have messages queued), in the latest snapshot")
                    .strongReference(true)
                    .register(r));
        }
        b.meters.add(Gauge.builder("otpj.mailbox.length.max", s, x -> x.current().lengthAt(1))
                .tags(tags)
                .description("The longest mailbox of the node, in the latest snapshot")
                .strongReference(true)
                .register(r));
        b.meters.add(Gauge.builder("otpj.mailbox.messages", s, x -> x.current().queued())
                .tags(tags)
                .description("Messages queued in all the node's mailboxes, in the latest snapshot")
                .strongReference(true)
                .register(r));
        // The gauges above hold the snapshots strongly, so this counter's weak reference to them holds.
        b.meters.add(FunctionCounter.builder("otpj.messages.handled", s, x -> x.current().handled())
                .tags(tags)
                .description("Messages the node's servers took from their mailboxes, counted at each snapshot;"
                        + " servers that died keep their count (a lower bound)")
                .register(r));
    }

    // ------------------------------------------------------------------ the event meters

    private Events startStream() {
        Recording rec;
        try {
            rec = new Recording();
        } catch (IllegalStateException | SecurityException noJfr) {
            warnNoJfr(noJfr);
            return null;
        }
        EventStream es = null;
        try {
            rec.setName("otpj-micrometer " + node.name());
            rec.setToDisk(true);
            // A bound on what is kept on disk for this recording, which the stream reads within about a second.
            rec.setMaxAge(Duration.ofSeconds(30));
            rec.setMaxSize(32L * 1024 * 1024);
            rec.enable(CRASH).withoutStackTrace();
            rec.enable(RESTART).withoutStackTrace();
            rec.enable(INTENSITY).withoutStackTrace();
            if (callLatency) {
                rec.enable(CALL).withThreshold(Duration.ZERO).withoutStackTrace();
            }
            rec.start(); // synchronously: every event committed after bindTo returns is recorded
            es = EventStream.openRepository();
            es.setStartTime(rec.getStartTime());
            es.setReuse(true);
            es.setOrdered(false);
            es.onEvent(CRASH, e -> handle(e, this::onCrash));
            es.onEvent(RESTART, e -> handle(e, this::onRestart));
            es.onEvent(INTENSITY, e -> handle(e, this::onIntensity));
            if (callLatency) {
                es.onEvent(CALL, e -> handle(e, this::onCall));
            }
            es.onError(t -> LOG.warn("otpj_metrics_stream_failed node={}", node.name(), t));
            EventStream run = es;
            Thread.ofPlatform().daemon(true).name("otpj-metrics-" + node.name()).start(run::start);
            return new Events(rec, es);
        } catch (IOException | RuntimeException failed) {
            if (es != null) {
                es.close();
            }
            rec.close();
            warnNoJfr(failed);
            return null;
        }
    }

    private void warnNoJfr(Exception why) {
        LOG.warn("otpj_metrics_no_jfr node={} reason={}: the crash, restart and call meters are not registered",
                node.name(), String.valueOf(why));
    }

    private void handle(RecordedEvent e, java.util.function.Consumer<RecordedEvent> handler) {
        try {
            handler.accept(e);
        } catch (RuntimeException broken) {
            LOG.warn("otpj_metrics_event_failed node={} event={}", node.name(), e.getEventType().getName(), broken);
        }
    }

    private void onCrash(RecordedEvent e) {
        if (!local(e.getString("pid"))) {
            return;
        }
        String behaviour = e.getString("behaviour");
        count("otpj.process.crashes", "Processes of the node that crashed, by behaviour (a GenServer's or"
                + " gen_statem's class, or process for a plain process)",
                Tags.of("behaviour", behaviour == null || behaviour.isEmpty() ? PLAIN : behaviour));
    }

    private void onRestart(RecordedEvent e) {
        String sup = e.getString("supervisor");
        if (!local(sup)) {
            return;
        }
        String child = e.getString("childId");
        count("otpj.supervisor.restarts", "Children restarted by the node's supervisors, by supervisor"
                + " (its local name, or unnamed) and child id",
                Tags.of("supervisor", supervisorName(sup, e.getEndTime()), "child", child == null ? "" : child));
    }

    private void onIntensity(RecordedEvent e) {
        String sup = e.getString("supervisor");
        if (!local(sup)) {
            return;
        }
        count("otpj.supervisor.intensity.reached", "Supervisors of the node that reached their restart"
                + " intensity and gave up, by supervisor (its local name, or unnamed)",
                Tags.of("supervisor", supervisorName(sup, e.getEndTime())));
    }

    private void onCall(RecordedEvent e) {
        if (!callOfThisNode(e.getString("caller"), e.getString("server"))) {
            return;
        }
        String outcome = e.getString("outcome");
        String o = outcome == null || outcome.isEmpty() ? "unknown" : outcome;
        Duration d = e.getDuration();
        synchronized (lock) {
            if (closed) {
                return;
            }
            for (Bound b : bound) {
                b.timers.computeIfAbsent(o, k -> Timer.builder("otpj.call.latency")
                        .tags(tags)
                        .tag("outcome", k)
                        .description("Time GenServer calls made from the node waited for their outcome"
                                + " (reply, timeout, exited, interrupted or overloaded)")
                        .register(b.registry))
                        .record(d);
            }
        }
    }

    /**
     * Whether a call belongs to this node: its caller is a process of it; or, from a plain thread, its
     * server is a pid of it, or a local name registered in it (as last seen), or a via name, which
     * the event cannot place (so every binder with call latency counts it).
     */
    private boolean callOfThisNode(String caller, String server) {
        if (caller != null && !caller.isEmpty()) {
            return local(caller);
        }
        if (server == null) {
            return false;
        }
        if (server.startsWith("<")) {
            return local(server);
        }
        if (server.startsWith("name:")) {
            return snapshots.current().names().containsValue(server.substring("name:".length()));
        }
        return true;
    }

    private String supervisorName(String pid, Instant asOf) {
        String n = snapshots.nameOf(pid, asOf);
        return n == null ? UNNAMED : n;
    }

    /** Whether {@code pid} is the text of a pid of this node: {@code <name.ID.creation>}. */
    boolean local(String pid) {
        if (pid == null || pid.length() <= pidPrefix.length() + pidSuffix.length()
                || !pid.startsWith(pidPrefix) || !pid.endsWith(pidSuffix)) {
            return false;
        }
        for (int i = pidPrefix.length(), end = pid.length() - pidSuffix.length(); i < end; i++) {
            char c = pid.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private void count(String name, String description, Tags eventTags) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            Series key = new Series(name, description, eventTags);
            AtomicLong n = events.get(key);
            if (n == null) {
                n = new AtomicLong();
                events.put(key, n);
                for (Bound b : bound) {
                    register(b, key, n);
                }
            }
            n.incrementAndGet();
        }
    }

    private void register(Bound b, Series series, AtomicLong n) {
        // n is held strongly by this binder's series map, which the stream's handlers reach.
        b.meters.add(FunctionCounter.builder(series.name(), n, AtomicLong::doubleValue)
                .tags(tags)
                .tags(series.tags())
                .description(series.description())
                .register(b.registry));
    }
}
