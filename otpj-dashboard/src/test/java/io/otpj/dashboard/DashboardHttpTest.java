package io.otpj.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.GenServer;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.test.TestKit;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dashboard over HTTP, as a browser and a script see it: API, pages, live events, actions, bad input. */
class DashboardHttpTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String TOKEN = "a-token-of-sixteen-or-more";
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    private Node node;
    private Dashboard dashboard;

    private void start(DashboardOptions options) {
        node = Node.start(NodeOptions.named("dash-" + SEQ.incrementAndGet()).withShutdownHook(false));
        Shop.start(node);
        dashboard = Dashboard.start(node, options.withPort(0).withRefresh(Duration.ofMillis(200)));
    }

    @AfterEach
    void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
        if (node != null) {
            node.stop(Duration.ZERO);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(dashboard.uri().resolve(path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(dashboard.uri().resolve(path)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("X-Otpj-Token", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String q(Object pid) {
        return URLEncoder.encode(String.valueOf(pid), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void theSnapshotHasTheTreesAndTheProcessesAndNeverARawState() throws Exception {
        start(DashboardOptions.defaults());
        assertEquals("127.0.0.1", dashboard.uri().getHost());
        HttpResponse<String> r = get("/api/snapshot");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        Map<String, Object> s = MiniJson.object(r.body());
        assertEquals(node.name(), s.get("node"));
        Map<String, Object> shop = list(s.get("trees")).getFirst();
        assertEquals(node.whereis("shop").orElseThrow().toString(), shop.get("pid"));
        assertEquals("shop", shop.get("name"));
        List<Map<String, Object>> children = list(shop.get("children"));
        assertEquals(List.of("cart", "payments"), children.stream().map(c -> c.get("id")).toList());
        assertEquals(Shop.cart(node).toString(), children.get(0).get("pid"));
        Map<String, Object> payments = map(children.get(1).get("subtree"));
        assertEquals("gateway", list(payments.get("children")).getFirst().get("id"));
        Map<String, Object> cart = list(s.get("processes")).stream().filter(p -> p.get("pid").equals(Shop.cart(node).toString()))
                .findFirst().orElseThrow();
        assertEquals(Shop.Cart.class.getName(), cart.get("behaviour"));
        assertEquals(node.whereis("shop").orElseThrow().toString(), cart.get("parent"));
        assertEquals((double) node.processCount(), s.get("processCount"));

        HttpResponse<String> detail = get("/api/process?pid=" + q(Shop.cart(node)));
        assertEquals(200, detail.statusCode(), detail.body());
        Map<String, Object> d = MiniJson.object(detail.body());
        assertEquals("card ****1111", d.get("state"));
        assertEquals(List.of(node.whereis("shop").orElseThrow().toString()), d.get("links"));
        for (String page : List.of(r.body(), detail.body(), get("/").body(), get("/process?pid=" + q(Shop.cart(node))).body())) {
            assertFalse(page.contains(Shop.SECRET), "the raw state was shown: " + page);
        }
        assertTrue(get("/").body().contains("id=\"trees\""));
        assertEquals(200, get("/app.js").statusCode());
    }

    @Test
    void unknownPidsAndPathsGetA404PageNotAStackTrace() throws Exception {
        start(DashboardOptions.defaults());
        HttpResponse<String> page = get("/process?pid=" + q("<nobody.1.2>"));
        assertEquals(404, page.statusCode());
        assertTrue(page.body().contains("No process &lt;nobody.1.2&gt; is alive"), page.body());
        assertFalse(page.body().contains("Exception") || page.body().contains("at io.otpj"), page.body());
        HttpResponse<String> api = get("/api/process?pid=" + q("<script>alert(1)</script>"));
        assertEquals(404, api.statusCode());
        assertFalse(api.body().contains("<script>"), "a pid echoed raw: " + api.body());
        assertTrue(MiniJson.object(api.body()).get("error").toString().contains("no live process <script>"));
        assertEquals(404, get("/process").statusCode());
        assertEquals(404, get("/no/such/page").statusCode());
        assertEquals(405, post("/api/snapshot", null).statusCode());
        int port = dashboard.uri().getPort();
        String malformed = raw(port, "127.0.0.1:" + port, "/api/process?pid=%zz");
        assertTrue(malformed.startsWith("HTTP/1.1 400") || malformed.startsWith("HTTP/1.1 404"), "a malformed escape: " + malformed);
    }

    @Test
    void aProcessThatDiesWhileViewedShowsAsExitedWithItsLastCrash() throws Exception {
        start(DashboardOptions.defaults());
        Pid cart = Shop.cart(node);
        assertEquals(200, get("/api/process?pid=" + q(cart)).statusCode());
        node.run(() -> GenServer.cast(cart, "crash"));
        TestKit.eventually(() -> {
            try {
                HttpResponse<String> r = get("/api/process?pid=" + q(cart));
                return r.statusCode() == 404 && MiniJson.object(r.body()).get("lastCrash") != null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, WAIT, "the dead cart's detail with its last crash");
        Map<String, Object> crash = map(MiniJson.object(get("/api/process?pid=" + q(cart)).body()).get("lastCrash"));
        assertEquals(cart.toString(), crash.get("pid"));
        // JFR's in-process stream has delivered a string field of an event as null here, now and then
        // (see History.Shared), the behaviour as well as the reason (CI, 2026-12-07); the page shows
        // "?" for it. The pid identifies the crash; any behaviour or reason that arrives is its own.
        Object behaviour = crash.get("behaviour");
        assertTrue(behaviour == null || behaviour.equals(Shop.Cart.class.getName()), crash.toString());
        Object reason = crash.get("reason");
        assertTrue(reason == null || reason.toString().contains("cart broke"), crash.toString());
        assertEquals(200, get("/process?pid=" + q(cart)).statusCode(), "a crashed pid's page still opens, to show the crash");
    }

    @Test
    void liveEventsBringSnapshotsAndACrashAsItHappens() throws Exception {
        start(DashboardOptions.defaults());
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(dashboard.uri().resolve("/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertEquals("event: snapshot", in.readLine());
            assertTrue(in.readLine().startsWith("data: {"));
            Pid cart = Shop.cart(node);
            node.run(() -> GenServer.cast(cart, "crash"));
            String event = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                String line = in.readLine();
                if (line == null) {
                    break;
                }
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ") && "crash".equals(event)) {
                    Map<String, Object> c = MiniJson.object(line.substring(6));
                    assertEquals(cart.toString(), c.get("pid"));
                    assertEquals("cart", c.get("name"));
                    return;
                }
            }
            throw new AssertionError("no crash event for " + cart + " within " + WAIT);
        }
    }

    @Test
    void actionsAreRefusedWhenOffOrWithoutTheTokenAndWorkWithIt() throws Exception {
        start(DashboardOptions.defaults());
        Pid cart = Shop.cart(node);
        HttpResponse<String> off = post("/api/kill?pid=" + q(cart), TOKEN);
        assertEquals(403, off.statusCode());
        assertTrue(off.body().contains("actions are disabled"), off.body());
        assertTrue(node.call(() -> Proc.isAlive(cart)));
        dashboard.close();
        node.stop(Duration.ZERO);

        start(DashboardOptions.defaults().withActions(TOKEN));
        Pid cart2 = Shop.cart(node);
        assertEquals(403, post("/api/kill?pid=" + q(cart2), null).statusCode());
        assertEquals(403, post("/api/kill?pid=" + q(cart2), TOKEN + "x").statusCode());
        assertTrue(node.call(() -> Proc.isAlive(cart2)), "a refused action did something");
        assertEquals(405, get("/api/kill?pid=" + q(cart2)).statusCode());
        assertEquals(404, post("/api/kill?pid=" + q("<nobody.1.1>"), TOKEN).statusCode());

        HttpResponse<String> killed = post("/api/kill?pid=" + q(cart2), TOKEN);
        assertEquals(200, killed.statusCode(), killed.body());
        TestKit.eventually(() -> node.whereis("cart").filter(p -> !p.equals(cart2)).isPresent(), WAIT,
                "the killed cart restarted by its supervisor");

        Pid shop = node.whereis("shop").orElseThrow();
        Pid before = Shop.cart(node);
        HttpResponse<String> restarted = post("/api/restart?supervisor=" + q(shop) + "&child=cart", TOKEN);
        assertEquals(200, restarted.statusCode(), restarted.body());
        Pid after = Shop.cart(node);
        assertNotEquals(before, after);
        assertEquals(404, post("/api/restart?supervisor=" + q(shop) + "&child=nope", TOKEN).statusCode());
        assertEquals(404, post("/api/restart?supervisor=" + q(after) + "&child=cart", TOKEN).statusCode(),
                "a worker is not a supervisor");
    }

    @Test
    void aRequestNamingAnotherHostIsRefused() throws Exception {
        start(DashboardOptions.defaults());
        int port = dashboard.uri().getPort();
        assertTrue(raw(port, "evil.example:" + port, "/api/snapshot").startsWith("HTTP/1.1 403"));
        assertTrue(raw(port, "localhost:" + port, "/api/snapshot").startsWith("HTTP/1.1 200"));
        assertTrue(raw(port, "127.0.0.1:" + port, "/api/snapshot").startsWith("HTTP/1.1 200"));
    }

    private static String raw(int port, String host, String path) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void aPortInUseAndBadOptionsFailClearly() throws Exception {
        Node n = Node.start(NodeOptions.named("dash-bad-" + SEQ.incrementAndGet()).withShutdownHook(false));
        node = n;
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Dashboard.start(n, DashboardOptions.defaults().withPort(taken.getLocalPort())));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()) && e.getMessage().contains("in use"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DashboardOptions.defaults().withPort(70_000));
        assertThrows(IllegalArgumentException.class, () -> DashboardOptions.defaults().withActions("short"));
        assertThrows(IllegalArgumentException.class, () -> DashboardOptions.defaults().withActions("sixteen chars with spaces"));
        assertThrows(IllegalArgumentException.class, () -> DashboardOptions.defaults().withRefresh(Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> DashboardOptions.defaults().withHistory(0));
        assertThrows(NullPointerException.class, () -> Dashboard.start(null, DashboardOptions.defaults()));
        assertFalse(DashboardOptions.defaults().withActions(TOKEN).toString().contains(TOKEN), "the token was printed");
        n.stop(Duration.ZERO);
        assertThrows(IllegalStateException.class, () -> Dashboard.start(n, DashboardOptions.defaults().withPort(0)));
    }

    @Test
    void jsonEscapesWhatCouldBreakOutOfAPageOrAnEventLine() {
        String j = Json.write(Map.of("k", "</script>\n\u2028\"&"));
        assertFalse(j.contains("<") || j.contains(">") || j.contains("\n") || j.contains("\u2028"), j);
        assertEquals("</script>\n\u2028\"&", MiniJson.object(j).get("k"));
        assertEquals(URI.create("x").toString(), MiniJson.parse(Json.write("x")));
    }
}
