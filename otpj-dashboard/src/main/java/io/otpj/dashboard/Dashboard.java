package io.otpj.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Node;
import io.otpj.core.NodeProcess;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ProcessInfo;
import io.otpj.core.Sys;
import io.otpj.supervisor.ChildInfo;
import io.otpj.supervisor.SupervisionTree;
import io.otpj.supervisor.Supervisor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live web page of one node, as Phoenix LiveDashboard or {@code :observer} show a BEAM node:
 * its supervision trees, a process table (sortable by mailbox length and message rate), a detail
 * view per process (its state as its {@code format_status} shows it, links, monitors, last crash),
 * and the history of crashes and restarts, updated live through server-sent events. Served by the
 * JDK's own HTTP server on virtual threads; no web framework, no third-party script.
 *
 * <p><b>Security.</b> It listens on {@code 127.0.0.1} unless told otherwise, and answers only
 * requests whose {@code Host} names the address it listens on (or {@code localhost}), so a web
 * page of another site cannot read it through DNS rebinding. Actions (kill a process, restart a
 * supervisor's child) are off unless {@link DashboardOptions#withActions} gives a token, and each
 * action must carry it in the {@code X-Otpj-Token} header (compared in constant time); a missing
 * or wrong token gets 403 and does nothing. The token is never printed. The page never shows a
 * server's raw state: only what {@link Sys#getStatus} returns, which its {@code format_status}
 * decides. It sends a {@code Content-Security-Policy} that allows only its own scripts.
 *
 * <p><b>Cost.</b> A snapshot lists the node's processes ({@link Node#list()}, O(processes)) and
 * walks each supervision tree (one call per supervisor); one is built per refresh interval while a
 * page is open, and shared by every open page. The table shows the 500 processes with the longest
 * mailboxes (then the busiest); the count covers them all.
 *
 * <p><b>Bad input.</b> An unknown pid gets a 404 page (or a 404 JSON answer from the API); a
 * process that dies while viewed shows as exited with its last crash; an unknown path gets 404; a
 * port in use fails {@link #start} with an {@link IllegalStateException} naming the address.
 *
 * <p>Thread-safety: {@link #start}, {@link #uri} and {@link #close} may be called from any
 * thread; {@code close} is idempotent.
 */
public final class Dashboard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    private static final int TABLE_ROWS = 500;
    private static final String CLOSE = "";
    private static final Duration CALL = Duration.ofSeconds(1);

    private final Node node;
    private final DashboardOptions options;
    private final HttpServer server;
    private final ExecutorService executor;
    private final History history;
    private final Set<BlockingQueue<String>> clients = ConcurrentHashMap.newKeySet();
    private final Thread publisher;
    private final URI uri;
    private volatile boolean closed;

    /** Guarded by {@code this}: the last counts of messages handled, for the rates. */
    private final Map<Pid, long[]> lastHandled = new HashMap<>();
    /** Guarded by {@code this}: the last snapshot and when it was built (nanoTime). */
    private String cached;
    private long cachedAt;

    private Dashboard(Node node, DashboardOptions options) {
        this.node = node;
        this.options = options;
        InetSocketAddress at = new InetSocketAddress(options.bindAddress(), options.port());
        try {
            server = HttpServer.create(at, 64);
        } catch (BindException e) {
            throw new IllegalStateException("the dashboard cannot listen on " + options.bindAddress().getHostAddress() + ":"
                    + options.port() + ": " + e.getMessage() + " (is the port in use?)", e);
        } catch (IOException e) {
            throw new IllegalStateException("the dashboard cannot listen on " + at + ": " + e.getMessage(), e);
        }
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        history = new History(node.name(), options.history(), this::broadcastEvent);
        String host = options.bindAddress().isAnyLocalAddress() ? "127.0.0.1" : hostLiteral(options.bindAddress().getHostAddress());
        server.start();
        uri = URI.create("http://" + host + ":" + server.getAddress().getPort() + "/");
        history.start();
        publisher = Thread.ofVirtual().name("otpj-dashboard-" + node.name()).start(this::publish);
    }

    /**
     * Starts serving the page of {@code node}.
     *
     * @param node the node to show
     * @param options where to listen, refresh interval, history, actions
     * @return the running dashboard; {@link #close} stops it
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the address cannot be listened on (a port in use), or the
     *     node is not running
     */
    public static Dashboard start(Node node, DashboardOptions options) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(options, "options");
        if (!node.isRunning()) {
            throw new IllegalStateException("node " + node.name() + " is not running");
        }
        Dashboard d = new Dashboard(node, options);
        LOG.info("dashboard_started node={} url={} actions={}", node.name(), d.uri, options.actionToken().isPresent() ? "on" : "off");
        return d;
    }

    /**
     * Where the page is: {@code http://host:port/}, with the port the system chose if the
     * options asked for 0.
     *
     * @return the page's address
     */
    public URI uri() {
        return uri;
    }

    /**
     * Whether actions are on (a token was given).
     *
     * @return true if kill and restart are served
     */
    public boolean actionsEnabled() {
        return options.actionToken().isPresent();
    }

    /** Whether the crash history has an entry yet (for tests: the event stream is delivering). */
    boolean historyHasCrashes() {
        return !history.crashes().isEmpty();
    }

    /** Stops serving: open pages are disconnected, this dashboard stops taking events. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        publisher.interrupt();
        for (BlockingQueue<String> q : clients) {
            q.offer(CLOSE);
        }
        server.stop(0);
        history.close();
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------ routing

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!hostAllowed(ex.getRequestHeaders().getFirst("Host"))) {
                send(ex, 403, "text/plain", "forbidden: unexpected Host header\n");
                return;
            }
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            boolean get = ex.getRequestMethod().equals("GET") || ex.getRequestMethod().equals("HEAD");
            boolean post = ex.getRequestMethod().equals("POST");
            switch (path) {
                case "/", "/index.html" -> { if (get) resource(ex, "index.html", "text/html"); else notAllowed(ex); }
                case "/app.js" -> { if (get) resource(ex, "app.js", "text/javascript"); else notAllowed(ex); }
                case "/process.js" -> { if (get) resource(ex, "process.js", "text/javascript"); else notAllowed(ex); }
                case "/app.css" -> { if (get) resource(ex, "app.css", "text/css"); else notAllowed(ex); }
                case "/process" -> { if (get) processPage(ex, q.get("pid")); else notAllowed(ex); }
                case "/api/snapshot" -> { if (get) send(ex, 200, "application/json", snapshot()); else notAllowed(ex); }
                case "/api/process" -> { if (get) processApi(ex, q.get("pid")); else notAllowed(ex); }
                case "/api/kill" -> { if (post) action(ex, () -> kill(q.get("pid"))); else notAllowed(ex); }
                case "/api/restart" -> { if (post) action(ex, () -> restart(q.get("supervisor"), q.get("child"))); else notAllowed(ex); }
                case "/events" -> { if (get) events(ex); else notAllowed(ex); }
                default -> send(ex, 404, "text/html", page("Not found", "Nothing at " + path + "."));
            }
        } catch (IOException e) {
            // The browser went away: nothing to answer.
        } catch (RuntimeException e) {
            LOG.warn("dashboard_request_failed path={} error={}", ex.getRequestURI().getPath(), e.toString());
            try {
                send(ex, 500, "text/plain", "internal error: " + e.getClass().getSimpleName() + "\n");
            } catch (IOException | RuntimeException ignored) {
                // headers already sent, or the connection is gone
            }
        }
    }

    private boolean hostAllowed(String host) {
        if (options.bindAddress().isAnyLocalAddress()) {
            return true;
        }
        if (host == null) {
            return false;
        }
        int port = server.getAddress().getPort();
        String h = host.endsWith(":" + port) ? host.substring(0, host.length() - (":" + port).length()) : host;
        String bound = hostLiteral(options.bindAddress().getHostAddress());
        return h.equalsIgnoreCase(bound) || (options.bindAddress().isLoopbackAddress()
                && (h.equalsIgnoreCase("localhost") || h.equals("127.0.0.1") || h.equals("[::1]")));
    }

    private static String hostLiteral(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null) {
            return m;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                try {
                    m.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException badEscape) {
                    // ignore a malformed parameter: it reads as absent
                }
            }
        }
        return m;
    }

    // ------------------------------------------------------------------ pages

    private void resource(HttpExchange ex, String name, String type) throws IOException {
        try (InputStream in = Dashboard.class.getResourceAsStream(name)) {
            if (in == null) {
                send(ex, 404, "text/plain", "missing resource " + name + "\n");
                return;
            }
            send(ex, 200, type, in.readAllBytes());
        }
    }

    private void processPage(HttpExchange ex, String pid) throws IOException {
        if (pid == null) {
            send(ex, 404, "text/html", page("No process", "No pid given: open a process from the table."));
        } else if (Pids.find(node, pid).isEmpty() && history.lastCrash(pid) == null) {
            send(ex, 404, "text/html", page("No such process", "No process " + pid + " is alive on node " + node.name() + "."));
        } else {
            resource(ex, "process.html", "text/html");
        }
    }

    /** A minimal HTML page, every text escaped. */
    private static String page(String title, String text) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + html(title)
                + "</title><link rel=\"stylesheet\" href=\"/app.css\"></head><body><h1>" + html(title) + "</h1><p id=\"message\">"
                + html(text) + "</p><p><a href=\"/\">Back to the dashboard</a></p></body></html>";
    }

    static String html(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ API

    /** The snapshot as JSON, built at most once per half refresh interval and shared. */
    synchronized String snapshot() {
        long now = System.nanoTime();
        if (cached != null && now - cachedAt < options.refresh().toNanos() / 2) {
            return cached;
        }
        List<NodeProcess> all = node.list();
        Map<Pid, Double> rates = new HashMap<>();
        Map<Pid, long[]> seen = new HashMap<>();
        for (NodeProcess p : all) {
            if (p.messagesHandled().isPresent()) {
                long h = p.messagesHandled().getAsLong();
                long[] before = lastHandled.get(p.pid());
                if (before != null && now > before[1]) {
                    rates.put(p.pid(), Math.max(0, h - before[0]) * 1e9 / (now - before[1]));
                }
                seen.put(p.pid(), new long[] {h, now});
            }
        }
        lastHandled.clear();
        lastHandled.putAll(seen);
        List<NodeProcess> rows = new ArrayList<>(all);
        rows.sort(Comparator.comparingInt(NodeProcess::mailboxLength).reversed()
                .thenComparing(p -> -rates.getOrDefault(p.pid(), 0.0)));
        List<Object> table = new ArrayList<>();
        for (NodeProcess p : rows.subList(0, Math.min(TABLE_ROWS, rows.size()))) {
            table.add(row(p, rates.get(p.pid())));
        }
        Map<Pid, NodeProcess> byPid = new HashMap<>();
        for (NodeProcess p : all) {
            byPid.put(p.pid(), p);
        }
        List<Object> trees = new ArrayList<>();
        for (Pid root : Supervisor.roots(all)) {
            try {
                SupervisionTree t = node.call(() -> Supervisor.tree(root, CALL));
                trees.add(tree(t, byPid));
            } catch (RuntimeException gone) {
                // The root died or did not answer in time: it is left out of this snapshot.
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", node.name());
        m.put("time", Instant.now().toString());
        m.put("processCount", all.size());
        m.put("shown", table.size());
        m.put("actions", actionsEnabled());
        m.put("trees", trees);
        m.put("processes", table);
        m.put("crashes", history.crashes());
        m.put("restarts", history.restarts());
        cached = Json.write(m);
        cachedAt = now;
        return cached;
    }

    private static Map<String, Object> row(NodeProcess p, Double rate) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pid", p.pid().toString());
        r.put("name", p.name().map(String::valueOf));
        r.put("status", p.status().name());
        r.put("mailbox", p.mailboxLength());
        r.put("behaviour", p.behaviour());
        r.put("callback", p.currentCallback());
        r.put("handled", p.messagesHandled());
        r.put("rate", rate == null ? null : Math.round(rate * 10) / 10.0);
        r.put("parent", p.parent().map(Pid::toString));
        return r;
    }

    private static Map<String, Object> tree(SupervisionTree t, Map<Pid, NodeProcess> byPid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", t.supervisor().toString());
        NodeProcess self = byPid.get(t.supervisor());
        m.put("name", self == null ? null : self.name().map(String::valueOf).orElse(null));
        List<Object> children = new ArrayList<>();
        for (SupervisionTree.Branch b : t.children()) {
            ChildInfo c = b.child();
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("id", String.valueOf(c.id()));
            cm.put("pid", c.pid().map(Pid::toString));
            cm.put("status", c.status().name());
            cm.put("type", c.type().name());
            NodeProcess p = c.pid().map(byPid::get).orElse(null);
            cm.put("name", p == null ? null : p.name().map(String::valueOf).orElse(null));
            cm.put("mailbox", p == null ? null : p.mailboxLength());
            cm.put("subtree", b.subtree().map(s -> tree(s, byPid)));
            cm.put("unreachable", b.unreachable());
            children.add(cm);
        }
        m.put("children", children);
        return m;
    }

    private void processApi(HttpExchange ex, String pidText) throws IOException {
        Optional<NodeProcess> found = pidText == null ? Optional.empty() : Pids.find(node, pidText);
        if (found.isEmpty()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", "no live process " + (pidText == null ? "(none given)" : pidText) + " on node " + node.name());
            m.put("pid", pidText);
            m.put("lastCrash", pidText == null ? null : history.lastCrash(pidText));
            send(ex, 404, "application/json", Json.write(m));
            return;
        }
        NodeProcess p = found.get();
        Map<String, Object> m = row(p, null);
        Optional<ProcessInfo> info = node.call(() -> Proc.info(p.pid()));
        m.put("alive", info.isPresent());
        m.put("links", info.map(i -> i.links().stream().map(Pid::toString).toList()).orElse(List.of()));
        m.put("monitoredBy", info.map(ProcessInfo::monitoredBy).orElse(0));
        m.put("trapExit", info.map(ProcessInfo::trapExit).orElse(false));
        if (p.behaviour().isPresent()) {
            try {
                GenServer.Status s = node.call(() -> Sys.getStatus(p.pid(), CALL));
                m.put("state", truncate(String.valueOf(s.state())));
            } catch (RuntimeException e) {
                m.put("state", null);
                m.put("stateError", e.getClass().getSimpleName());
            }
        } else {
            m.put("state", null);
        }
        m.put("lastCrash", history.lastCrash(p.pid().toString()));
        m.put("actions", actionsEnabled());
        send(ex, 200, "application/json", Json.write(m));
    }

    private static String truncate(String s) {
        return s.length() <= 4000 ? s : s.substring(0, 4000) + "…";
    }

    /** The outcome of an action: an HTTP status and a JSON body. */
    private record Outcome(int status, Map<String, Object> body) {
        static Outcome of(int status, String key, Object value) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(key, value);
            return new Outcome(status, m);
        }
    }

    private void action(HttpExchange ex, java.util.function.Supplier<Outcome> act) throws IOException {
        ex.getRequestBody().readAllBytes();
        Optional<String> token = options.actionToken();
        if (token.isEmpty()) {
            send(ex, 403, "application/json", Json.write(Map.of("error", "actions are disabled on this dashboard")));
            return;
        }
        String given = ex.getRequestHeaders().getFirst("X-Otpj-Token");
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.get().getBytes(StandardCharsets.UTF_8))) {
            send(ex, 403, "application/json", Json.write(Map.of("error", "wrong or missing token")));
            return;
        }
        Outcome o = act.get();
        send(ex, o.status(), "application/json", Json.write(o.body()));
    }

    private Outcome kill(String pidText) {
        Optional<NodeProcess> p = pidText == null ? Optional.empty() : Pids.find(node, pidText);
        if (p.isEmpty()) {
            return Outcome.of(404, "error", "no live process " + pidText);
        }
        node.run(() -> Proc.exit(p.get().pid(), ExitReason.kill()));
        LOG.info("dashboard_action action=kill pid={}", pidText);
        return Outcome.of(200, "killed", pidText);
    }

    private Outcome restart(String supText, String child) {
        Optional<NodeProcess> sup = supText == null ? Optional.empty() : Pids.find(node, supText);
        if (sup.isEmpty() || !Supervisor.isSupervisor(sup.get())) {
            return Outcome.of(404, "error", "no live supervisor " + supText);
        }
        if (child == null) {
            return Outcome.of(400, "error", "no child id given");
        }
        Pid s = sup.get().pid();
        try {
            return node.call(() -> {
                for (ChildInfo c : Supervisor.whichChildren(s)) {
                    if (String.valueOf(c.id()).equals(child)) {
                        Supervisor.terminateChild(s, c.id());
                        Supervisor.restartChild(s, c.id());
                        LOG.info("dashboard_action action=restart supervisor={} child={}", supText, child);
                        return Outcome.of(200, "restarted", child);
                    }
                }
                return Outcome.of(404, "error", "supervisor " + supText + " has no child " + child);
            });
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Outcome.of(400, "error", e.getMessage());
        }
    }

    // ------------------------------------------------------------------ live updates

    private void events(HttpExchange ex) throws IOException {
        BlockingQueue<String> q = new ArrayBlockingQueue<>(64);
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        headers(ex);
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        clients.add(q);
        try {
            write(out, "snapshot", snapshot());
            while (!closed) {
                String e;
                try {
                    e = q.poll(15, TimeUnit.SECONDS);
                } catch (InterruptedException stop) {
                    return;
                }
                if (e == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } else if (e == CLOSE) {
                    return;
                } else {
                    out.write(e.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } finally {
            clients.remove(q);
        }
    }

    private static void write(OutputStream out, String event, String json) throws IOException {
        out.write(sse(event, json).getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One server-sent event; JSON from {@link Json} has no raw line break, so one data line. */
    private static String sse(String event, String json) {
        return "event: " + event + "\ndata: " + json + "\n\n";
    }

    /** Sends {@code e} to every open page; a page that does not keep up is dropped. */
    private void offerAll(String e) {
        for (BlockingQueue<String> q : clients) {
            if (!q.offer(e)) {
                clients.remove(q);
                q.clear();
                q.offer(CLOSE);
            }
        }
    }

    private void broadcastEvent(String kind, Map<String, Object> entry) {
        offerAll(sse(kind, Json.write(entry)));
    }

    /** The publisher: a snapshot per refresh interval while a page is open. */
    private void publish() {
        while (!closed) {
            try {
                Thread.sleep(options.refresh());
            } catch (InterruptedException stop) {
                return;
            }
            if (!clients.isEmpty() && node.isRunning()) {
                try {
                    offerAll(sse("snapshot", snapshot()));
                } catch (RuntimeException e) {
                    LOG.warn("dashboard_snapshot_failed node={} error={}", node.name(), e.toString());
                }
            }
        }
    }

    // ------------------------------------------------------------------ HTTP

    private static void headers(HttpExchange ex) {
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    }

    private static void notAllowed(HttpExchange ex) throws IOException {
        send(ex, 405, "text/plain", "method not allowed\n");
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        headers(ex);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
