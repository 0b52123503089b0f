package io.otpj.dashboard;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.EventStream;

/**
 * The crashes and restarts a dashboard shows, taken from otpj's JFR events (
 * {@code io.otpj.ProcessCrash}, {@code io.otpj.SupervisorRestart},
 * {@code io.otpj.RestartIntensityReached}) through an in-process recording and event stream, one for
 * the JVM, shared by its dashboards. JFR
 * delivers them in batches, about once a second, so the page shows a crash within a second or two
 * of it. Events of every node of the JVM arrive; this keeps those whose pid names the dashboard's
 * node.
 *
 * <p>Thread-safety: the shared stream's thread adds entries and calls the listener; readers take
 * copies under this object's lock, which guards both deques.
 */
final class History implements AutoCloseable {

    private final String node;
    private final int capacity;
    private final ArrayDeque<Map<String, Object>> crashes = new ArrayDeque<>();
    private final ArrayDeque<Map<String, Object>> restarts = new ArrayDeque<>();
    private final BiConsumer<String, Map<String, Object>> listener;

    /**
     * @param node the node whose events are kept (the node part of their pids)
     * @param capacity how many of each kind are kept, the oldest dropped first
     * @param listener told of each new entry, on the stream's thread, as {@code kind} ("crash",
     *     "restart") and the entry; it must not block
     */
    History(String node, int capacity, BiConsumer<String, Map<String, Object>> listener) {
        this.node = node;
        this.capacity = capacity;
        this.listener = listener;
    }

    /** Starts taking events: from now on this history gets every otpj crash and restart of its node. */
    void start() {
        Shared.subscribe(this);
    }

    /** Called on the shared stream's thread, for every event of the three kinds. */
    void accept(RecordedEvent e) {
        switch (e.getEventType().getName()) {
            case "io.otpj.ProcessCrash" -> add(crashes, crash(e), "crash", listener);
            case "io.otpj.SupervisorRestart" -> add(restarts, restart(e), "restart", listener);
            case "io.otpj.RestartIntensityReached" -> add(restarts, intensity(e), "restart", listener);
            default -> { }
        }
    }

    /**
     * One recording and one event stream for the JVM, started with the first dashboard and kept
     * running: one costs less than one per dashboard, and it avoids recordings that start and stop
     * one after another, after which a test here once read a pid field of an event as null (JFR's
     * string pool has had bugs of that kind, e.g. JDK-8257621). A field read as null shows as "?".
     * Not a {@code RecordingStream}: its thread is not a daemon, and a stream never closed would
     * keep the JVM from exiting; this one reads the recording's repository
     * ({@link EventStream#openRepository()}) on a daemon thread.
     */
    private static final class Shared {
        private static final Set<History> SUBSCRIBERS = ConcurrentHashMap.newKeySet();
        private static boolean started; // guarded by Shared.class

        static synchronized void subscribe(History h) {
            SUBSCRIBERS.add(h);
            if (started) {
                return;
            }
            Recording rec = new Recording();
            rec.setName("otpj-dashboard");
            rec.setToDisk(true);
            rec.setMaxAge(Duration.ofSeconds(30));
            rec.setMaxSize(16L * 1024 * 1024);
            rec.enable("io.otpj.ProcessCrash").withoutStackTrace();
            rec.enable("io.otpj.SupervisorRestart").withoutStackTrace();
            rec.enable("io.otpj.RestartIntensityReached").withoutStackTrace();
            rec.start(); // synchronously: whatever is committed after the dashboard starts is seen
            EventStream es;
            try {
                es = EventStream.openRepository();
            } catch (java.io.IOException e) {
                rec.close();
                throw new IllegalStateException("the dashboard cannot read JFR's repository: " + e.getMessage(), e);
            }
            es.setStartTime(rec.getStartTime());
            es.setReuse(false);
            // By name: the repository holds every recording's events (a JVM-wide recording's too),
            // and actions by name let the stream skip the other types.
            for (String type : List.of("io.otpj.ProcessCrash", "io.otpj.SupervisorRestart", "io.otpj.RestartIntensityReached")) {
                es.onEvent(type, e -> {
                    for (History s : SUBSCRIBERS) {
                        try {
                            s.accept(e);
                        } catch (RuntimeException bad) {
                            // one dashboard's failure must not stop the others' history
                        }
                    }
                });
            }
            Thread.ofPlatform().daemon(true).name("otpj-dashboard-events").start(es::start);
            started = true;
        }

        static void unsubscribe(History h) {
            SUBSCRIBERS.remove(h);
        }
    }

    /** Whether {@code pid} (a pid's text, {@code <node.creation.id>} or {@code <id>}) belongs to this node. */
    private boolean ours(String pid) {
        return pid != null && Pids.nodeOf(pid).equals(node);
    }

    private void add(ArrayDeque<Map<String, Object>> to, Map<String, Object> entry,
            String kind, BiConsumer<String, Map<String, Object>> listener) {
        if (entry == null) {
            return;
        }
        synchronized (this) {
            to.addFirst(entry);
            while (to.size() > capacity) {
                to.removeLast();
            }
        }
        listener.accept(kind, entry);
    }

    private Map<String, Object> crash(RecordedEvent e) {
        String pid = e.getString("pid");
        if (!ours(pid)) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", e.getStartTime().toString());
        m.put("pid", pid);
        m.put("name", e.getString("name"));
        m.put("behaviour", e.getString("behaviour"));
        m.put("reason", e.getString("reason"));
        RecordedClass c = e.getClass("exception");
        m.put("exception", c == null ? null : c.getName());
        return m;
    }

    private Map<String, Object> restart(RecordedEvent e) {
        String sup = e.getString("supervisor");
        if (!ours(sup)) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", e.getStartTime().toString());
        m.put("kind", "restart");
        m.put("supervisor", sup);
        m.put("child", e.getString("childId"));
        m.put("oldPid", e.getString("oldPid"));
        m.put("newPid", e.getString("newPid"));
        m.put("reason", e.getString("reason"));
        return m;
    }

    private Map<String, Object> intensity(RecordedEvent e) {
        String sup = e.getString("supervisor");
        if (!ours(sup)) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", e.getStartTime().toString());
        m.put("kind", "gave_up");
        m.put("supervisor", sup);
        m.put("child", e.getString("childId"));
        m.put("oldPid", null);
        m.put("newPid", null);
        m.put("reason", "restart intensity reached (" + e.getInt("maxRestarts") + " in " + e.getLong("maxPeriod")
                + " ms); last: " + e.getString("childReason"));
        return m;
    }

    synchronized List<Map<String, Object>> crashes() {
        return new ArrayList<>(crashes);
    }

    synchronized List<Map<String, Object>> restarts() {
        return new ArrayList<>(restarts);
    }

    /** The latest crash of {@code pid}, or null. */
    synchronized Map<String, Object> lastCrash(String pid) {
        for (Map<String, Object> c : crashes) {
            if (pid.equals(c.get("pid"))) {
                return c;
            }
        }
        return null;
    }

    /** Stops taking events (the shared stream goes on for the JVM's other dashboards, and for the next one). */
    @Override
    public void close() {
        Shared.unsubscribe(this);
    }
}
