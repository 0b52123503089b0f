package io.otpj.finance.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.finance.db.Database;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.DonationStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM in the middle of a demo run, to the demo as a real separate JVM: it ends the run in
 * order (donors stop, processors flush, campaigns close), prints the reconciliation and exits 0;
 * the database then holds every acknowledged donation, processed, and no active campaign.
 */
class FinanceDemoSigtermTest {

    @TempDir Path dir;

    @Test
    void sigtermFlushesClosesReconcilesAndExitsZero() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), FinanceDemo.class.getName(),
                "--campaigns", "4", "--donors", "8", "--duration", "300", "--crash-rate", "5", "--seed", "11",
                "--data-dir", dir.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            // The second status line (one every 2 s when not on a terminal): in the middle of the
            // run, donations flowing, servers being crashed and restarted.
            int statusLines = 0;
            while (statusLines < 2 && (line = out.readLine()) != null) {
                lines.add(line);
                if (line.contains(" donations ")) {
                    statusLines++;
                }
            }
            assertEquals(2, statusLines, "the demo never got going: " + lines);
            jvm.toHandle().destroy(); // SIGTERM
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
            assertTrue(jvm.waitFor(150, TimeUnit.SECONDS), "the demo did not exit: " + lines);
        } finally {
            jvm.destroyForcibly();
        }
        String text = String.join("\n", lines);
        assertEquals(0, jvm.exitValue(), text);
        assertTrue(text.contains("signal: ending the run early"), text);
        Matcher ok = Pattern.compile("OK: ([0-9,]+) donations accepted").matcher(text);
        assertTrue(ok.find(), text);
        long accepted = Long.parseLong(ok.group(1).replace(",", ""));
        assertTrue(accepted > 0, text);
        Matcher run = Pattern.compile("otpj finance demo (run-\\S+):").matcher(text);
        assertTrue(run.find(), text);
        try (Database db = Database.openEmbedded(dir)) {
            long stored = 0;
            for (int i = 1; i <= 4; i++) {
                String id = run.group(1) + "-c" + i;
                stored += db.donations().processedTotals(id).count();
                assertEquals(0L, db.donations().countByStatus(id).getOrDefault(DonationStatus.PENDING, 0L), id + ": " + text);
            }
            assertEquals(accepted, stored, "acknowledged donations in the database");
            assertEquals(List.of(), db.campaigns().findByStatus(CampaignStatus.ACTIVE), "campaigns left taking donations");
        }
    }
}
