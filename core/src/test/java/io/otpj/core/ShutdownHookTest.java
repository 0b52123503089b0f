package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SIGTERM to a JVM running a node runs every terminate in reverse start order, within the deadline. */
class ShutdownHookTest {

    @Test
    void sigtermStopsTheApplicationsInReverseOrderAndKillsWhatOutlivesTheDeadline() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cp = System.getProperty("java.class.path");
        String mp = System.getProperty("jdk.module.path");
        if (mp != null && !mp.isEmpty()) {
            cp = cp.isEmpty() ? mp : cp + File.pathSeparator + mp;
        }
        Process jvm = new ProcessBuilder(java, "-cp", cp, ShutdownHookMain.class.getName(), "1000")
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("ready")) {
                lines.add(line);
            }
            assertTrue(line != null, "the JVM did not get ready: " + lines);
            long sent = System.nanoTime();
            jvm.toHandle().destroy(); // SIGTERM, keeping our end of its output open
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the JVM did not exit: " + lines);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertEquals(143, jvm.exitValue(), "exit status of a JVM ended by SIGTERM; output: " + lines);
            List<String> terminates = lines.stream().filter(l -> l.startsWith("terminate ")).toList();
            assertEquals(List.of("terminate second shutdown", "terminate first shutdown", "terminate stuck shutdown"),
                    terminates, "output: " + lines);
            assertTrue(tookMs < 30_000, "a 1 s deadline, and the JVM took " + tookMs + " ms");
        } finally {
            jvm.destroyForcibly();
        }
    }
}
