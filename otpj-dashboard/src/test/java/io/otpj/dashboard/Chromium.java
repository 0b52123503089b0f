package io.otpj.dashboard;

import io.otpj.test.TestKit;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium (Debian's {@code chromium} package), driven through the DevTools
 * protocol over a WebSocket: navigate, evaluate JavaScript in the page, take a screenshot.
 */
final class Chromium implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();

    /** The browser's executable, if installed. */
    static Optional<Path> executable() {
        for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(p))) {
                return Optional.of(Path.of(p));
            }
        }
        return Optional.empty();
    }

    Chromium(Path exe) throws Exception {
        profile = Files.createTempDirectory("otpj-chromium");
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--window-size=1400,1000",
                "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile, "about:blank"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile()).start();
        Path portFile = profile.resolve("DevToolsActivePort");
        TestKit.eventually(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("chromium exited with " + process.exitValue() + ": " + log());
            }
            try {
                return Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2;
            } catch (IOException e) {
                return false;
            }
        }, WAIT, () -> "chromium did not open its DevTools port: " + log());
        int port = Integer.parseInt(Files.readAllLines(portFile).getFirst().trim());
        HttpClient http = HttpClient.newHttpClient();
        String pages = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> targets = (List<Map<String, Object>>) MiniJson.parse(pages);
        String ws = targets.stream().filter(t -> "page".equals(t.get("type"))).map(t -> (String) t.get("webSocketDebuggerUrl"))
                .findFirst().orElseThrow(() -> new AssertionError("no page target: " + pages));
        socket = http.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(URI.create(ws), new Listener()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        send("Page.enable", "{}");
    }

    private String log() {
        try {
            return Files.readString(profile.resolve("chromium.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                Map<String, Object> msg = MiniJson.object(partial.toString());
                partial.setLength(0);
                if (msg.get("id") instanceof Double id) {
                    CompletableFuture<Map<String, Object>> f = pending.remove(id.intValue());
                    if (f != null) {
                        f.complete(msg);
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }

    /** Sends one DevTools command and waits for its result. */
    @SuppressWarnings("unchecked")
    Map<String, Object> send(String method, String paramsJson) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}", true).get();
        Map<String, Object> reply = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (reply.containsKey("error")) {
            throw new AssertionError(method + " failed: " + reply.get("error"));
        }
        return (Map<String, Object>) reply.get("result");
    }

    void navigate(URI uri) throws Exception {
        send("Page.navigate", "{\"url\":" + Json.write(uri.toString()) + "}");
    }

    /** Evaluates {@code js} in the page; returns its value as a string (null if it threw or was undefined). */
    @SuppressWarnings("unchecked")
    String eval(String js) throws Exception {
        Map<String, Object> r = send("Runtime.evaluate", "{\"expression\":" + Json.write("String(" + js + ")") + ",\"returnByValue\":true}");
        if (r.containsKey("exceptionDetails")) {
            return null;
        }
        return (String) ((Map<String, Object>) r.get("result")).get("value");
    }

    /** Waits until {@code js} evaluates to {@code "true"}. */
    void until(String js, String what) {
        TestKit.eventually(() -> {
            try {
                return "true".equals(eval(js));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, WAIT, () -> what + " (page: " + safeText() + ")");
    }

    private String safeText() {
        try {
            String t = eval("document.body ? document.body.innerText : ''");
            return t == null ? "?" : t.length() > 2000 ? t.substring(0, 2000) : t;
        } catch (Exception e) {
            return "?";
        }
    }

    void screenshot(Path to) throws Exception {
        Map<String, Object> r = send("Page.captureScreenshot", "{\"format\":\"png\"}");
        Files.createDirectories(to.toAbsolutePath().getParent());
        Files.write(to, Base64.getDecoder().decode((String) r.get("data")));
    }

    @Override
    public void close() throws IOException {
        try {
            socket.abort();
        } finally {
            try {
                process.destroyForcibly().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
