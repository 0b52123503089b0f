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
        int code = FinanceDemo.run(DemoOptions.of(4, 8, Duration.ofSeconds(2), 10, url, dir, 7), out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("OK: "), text);
        assertTrue(text.contains("Reconciliation of run-"), text);
        // The group commit's line, with the batches and the largest batch counted.
        java.util.regex.Matcher commits = java.util.regex.Pattern
                .compile("group commit: ([\\d,]+) batches, \\d+ donations each on average, largest (\\d+), [\\d,]+ settles")
                .matcher(text);
        assertTrue(commits.find(), text);
        assertTrue(Long.parseLong(commits.group(1).replace(",", "")) > 0, commits.group());
        assertTrue(Integer.parseInt(commits.group(2)) >= 1, commits.group());
        if (url == null) {
            try (var db = io.otpj.finance.db.Database.openEmbedded(dir)) {
                assertEquals(java.util.List.of(), db.campaigns().findByStatus(io.otpj.finance.domain.CampaignStatus.ACTIVE),
                        "the run left campaigns taking donations");
            }
        }
    }

    static String runOf(DemoOptions o, int[] code) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        code[0] = FinanceDemo.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A non-durable URL is a bad option (2) unless --ephemeral; then the report says so. Setup failures are 4. */
    @Test
    void nonDurableUrlsAndSetupFailuresAreOneLineWithTheirCodes() throws Exception {
        int[] code = new int[1];
        String refused = runOf(DemoOptions.of(2, 2, Duration.ofSeconds(1), 0, "jdbc:h2:mem:demo;password=s3cret", dir, 1), code);
        assertEquals(2, code[0], refused);
        assertTrue(refused.lines().anyMatch(l -> l.startsWith("error: refusing") && l.contains("--ephemeral")), refused);
        assertFalse(refused.contains("s3cret"), refused);
        assertFalse(refused.contains("\tat "), "no stack trace: " + refused);

        String mem = "jdbc:h2:mem:demo" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        String ephemeral = runOf(new DemoOptions(2, 2, Duration.ofSeconds(1), 0, mem, dir, 1, true, false, 30, null, -1), code);
        assertEquals(0, code[0], ephemeral);
        assertTrue(ephemeral.contains("NOT DURABLE"), ephemeral);

        Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "not a directory");
        String setup = runOf(DemoOptions.of(2, 2, Duration.ofSeconds(1), 0, null, file, 1), code);
        assertEquals(4, code[0], setup);
        assertTrue(setup.lines().anyMatch(l -> l.startsWith("error: ")), setup);
        assertFalse(setup.contains("\tat "), "no stack trace: " + setup);
    }

    /** --dashboard [PORT]: the URL printed at the start; a port in use is exit code 5, one line. */
    @Test
    void theDashboardOptionServesThePageDuringTheRunAndAPortInUseIsCode5() throws Exception {
        assertEquals(4000, DemoOptions.parse(new String[] {"--dashboard"}).dashboardPort());
        assertEquals(4000, DemoOptions.parse(new String[] {"--dashboard", "--verbose"}).dashboardPort());
        assertEquals(0, DemoOptions.parse(new String[] {"--dashboard", "0"}).dashboardPort());
        assertEquals(-1, DemoOptions.parse(new String[] {}).dashboardPort());
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--dashboard", "70000"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--dashboard", "x"}));

        int[] code = new int[1];
        DemoOptions base = DemoOptions.of(2, 2, Duration.ofSeconds(1), 0, null, dir, 1);
        String served = runOf(withDashboard(base, 0), code);
        assertEquals(0, code[0], served);
        assertTrue(served.lines().anyMatch(l -> l.matches("dashboard: http://127\\.0\\.0\\.1:\\d+/")), served);

        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String refused = runOf(withDashboard(base, taken.getLocalPort()), code);
            assertEquals(5, code[0], refused);
            assertTrue(refused.lines().anyMatch(l -> l.startsWith("error: the dashboard cannot listen on 127.0.0.1:"
                    + taken.getLocalPort())), refused);
            assertFalse(refused.contains("\tat "), "no stack trace: " + refused);
        }
    }

    private static DemoOptions withDashboard(DemoOptions o, int port) {
        return new DemoOptions(o.campaigns(), o.donors(), o.duration(), o.crashRate(), o.dbUrl(), o.dataDir(), o.seed(),
                o.ephemeral(), o.verbose(), o.directPercent(), o.recover(), port);
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
        assertEquals(DemoOptions.of(3, 5, Duration.ofSeconds(7), 0.5, null, Path.of("x"), 99), o);
        assertNull(DemoOptions.parse(new String[] {"--help"}));
        assertEquals(12, DemoOptions.parse(new String[0]).campaigns());
        assertEquals(400, DemoOptions.parse(new String[0]).donors());
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--campaigns", "0"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--donors", "many"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--duration"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--crash-rate", "-1"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--db-url", "jdbc:mysql://x"}));
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--frobnicate", "1"}));
        assertEquals(0, DemoOptions.parse(new String[] {"--direct", "0"}).directPercent());
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--direct", "101"}));
        assertEquals("", DemoOptions.parse(new String[] {"--recover"}).recover());
        assertEquals("run-1", DemoOptions.parse(new String[] {"--recover", "run-1", "--verbose"}).recover());
        assertEquals("", DemoOptions.parse(new String[] {"--recover", "--verbose"}).recover());
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--recover", "bad id!"}));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> DemoOptions.parse(new String[] {"--frobnicate"}));
        assertEquals("unknown option --frobnicate", unknown.getMessage(), "an unknown flag is unknown, not short of a value");
        DemoOptions flags = DemoOptions.parse(new String[] {"--ephemeral", "--verbose", "--campaigns", "2"});
        assertTrue(flags.ephemeral() && flags.verbose());
        assertEquals(2, flags.campaigns());
    }
}
