package io.otpj.finance.demo;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.Set;
import io.otpj.finance.domain.Ids;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinanceDemoTest {

    @TempDir Path dir;

    @Test
    void aShortRunWithCrashesReconciles() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        String url = io.otpj.finance.testing.TestDatabase.postgresUrl();
        int code = FinanceDemo.run(new DemoOptions(4, 8, Duration.ofSeconds(2), 10, url, dir, 7), out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("OK: "), text);
        assertTrue(text.contains("Reconciliation of run-"), text);
        if (url == null) {
            try (var db = io.otpj.finance.db.Database.openEmbedded(dir)) {
                assertEquals(java.util.List.of(), db.campaigns().findByStatus(io.otpj.finance.domain.CampaignStatus.ACTIVE),
                        "the run left campaigns taking donations");
            }
        }
    }

    @Test
    void runIdsStartedInTheSameMillisecondDiffer() {
        LocalDateTime now = LocalDateTime.of(2026, 11, 25, 16, 8, 43, 123_000_000);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            String id = FinanceDemo.newRunId(now);
            assertTrue(id.startsWith("run-20261125-160843.123-"), id);
            // Campaign ids are made from it: it must stay a valid id with a campaign suffix.
            Ids.require(id + "-c999999", "campaign id");
            ids.add(id);
        }
        assertEquals(20, ids.size(), "run ids collided: " + ids);
    }

    @Test
    void parsesOptionsAndRejectsBadOnes() {
        DemoOptions o = DemoOptions.parse(new String[] {"--campaigns", "3", "--donors", "5", "--duration", "7",
                "--crash-rate", "0.5", "--seed", "99", "--data-dir", "x"});
        assertEquals(new DemoOptions(3, 5, Duration.ofSeconds(7), 0.5, null, Path.of("x"), 99), o);
        assertNull(DemoOptions.parse(new String[] {"--help"}));
        assertEquals(12, DemoOptions.parse(new String[0]).campaigns());
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--campaigns", "0"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--donors", "many"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--duration"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--crash-rate", "-1"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--db-url", "jdbc:mysql://x"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--frobnicate", "1"}));
    }
}
