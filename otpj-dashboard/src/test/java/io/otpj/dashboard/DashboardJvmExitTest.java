package io.otpj.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.GenServer;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM whose main returns after it closed its dashboard exits: the JVM-wide event stream the
 * dashboards share runs on a daemon thread (a {@code RecordingStream} would not, and would keep
 * the JVM alive forever). A separate JVM, started with {@code ProcessBuilder}.
 */
class DashboardJvmExitTest {

    /** The separate JVM's main: a node, a dashboard that saw a crash, both closed, then main returns. */
    public static void main(String[] args) throws Exception {
        Node node = Node.start(NodeOptions.named("exit-probe").withShutdownHook(false));
        Dashboard d = Dashboard.start(node, DashboardOptions.defaults().withPort(0));
        Shop.start(node);
        node.run(() -> GenServer.cast(Shop.cart(node), "crash"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!d.historyHasCrashes() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        System.out.println(d.historyHasCrashes() ? "crash seen" : "no crash seen");
        d.close();
        node.stop(Duration.ofSeconds(5));
        System.out.println("main returns");
    }

    @Test
    void theJvmExitsOnceItsDashboardIsClosed() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Files.createTempFile("otpj-exit-probe", ".log");
        Process p = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                DashboardJvmExitTest.class.getName()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        assertTrue(exited, "the JVM did not exit within 60 s after main returned: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("crash seen") && out.contains("main returns"), out);
    }
}
