package io.otpj.finance.demo;

import static io.otpj.finance.demo.FinanceDemoTest.runOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.finance.testing.TestDatabase;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo on a real PostgreSQL (the module's {@code on-postgresql} execution starts one): a run
 * reconciles, and each startup failure an operator meets (wrong password, missing database,
 * nothing listening) is one {@code error:} line with exit code 4, no stack trace and no password.
 */
class FinanceDemoPostgresTest {

    @TempDir Path dir;
    String url;

    @BeforeEach
    void postgres() {
        url = TestDatabase.postgresUrl();
        org.junit.jupiter.api.Assumptions.assumeTrue(url != null && url.startsWith("jdbc:postgresql:"),
                "runs in the on-postgresql execution");
    }

    @Test
    void aRunReconcilesAndShowsNoPassword() {
        int[] code = new int[1];
        String out = runOf(DemoOptions.of(3, 6, Duration.ofSeconds(2), 1, url, dir, 7), code);
        assertEquals(0, code[0], out);
        assertTrue(out.contains("OK: "), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("database: jdbc:postgresql:")), out);
        assertNoSecret(out, url);
    }

    @Test
    void startupFailuresAreOneLineWithCode4() throws Exception {
        String secret = url.substring(url.indexOf("password=") + "password=".length());
        String wrongPassword = url.replace("password=" + secret, "password=not-the-" + secret);
        String missingDatabase = url.replace("/postgres?", "/no_such_database?");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String refused = url.replaceFirst(":\\d+/", ":" + closedPort + "/");
        for (String bad : new String[] {wrongPassword, missingDatabase, refused}) {
            int[] code = new int[1];
            String out = runOf(DemoOptions.of(2, 2, Duration.ofSeconds(1), 0, bad, dir, 1), code);
            assertEquals(4, code[0], out);
            assertEquals(1, out.lines().filter(l -> l.startsWith("error: ")).count(), out);
            assertFalse(out.contains("\tat "), "no stack trace: " + out);
            assertNoSecret(out, bad);
        }
    }

    private static void assertNoSecret(String out, String url) {
        String secret = url.substring(url.indexOf("password=") + "password=".length());
        assertFalse(out.contains(secret), "the password shows: " + out);
    }
}
