package io.otpj.finance.db;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Acknowledged means durable under every accepted URL": H2 file URLs get WRITE_DELAY=0 (a
 * SIGKILL right after the commits loses none, on a real separate JVM), in-memory and delayed
 * URLs are refused unless asked for explicitly, and no password ever appears in what is printed.
 */
class DurabilityTest {

    @Test
    void whatIsDurableAndWhatIsNot() {
        assertNotNull(Durability.whyNotDurable("jdbc:h2:mem:x"));
        assertNotNull(Durability.whyNotDurable("jdbc:h2:tcp://localhost/mem:x"));
        assertNotNull(Durability.whyNotDurable("jdbc:h2:.")); // H2 reads "." as mem:
        assertNotNull(Durability.whyNotDurable("jdbc:h2:memFS:x"));
        assertNotNull(Durability.whyNotDurable("jdbc:h2:nioMemLZF:x;MODE=PostgreSQL"));
        assertNotNull(Durability.whyNotDurable("jdbc:h2:ssl://db.example:9092/memFS:x"));
        assertNotNull(Durability.whyNotDurable("jdbc:h2:file:/tmp/x;WRITE_DELAY=500"));
        assertNull(Durability.whyNotDurable("jdbc:h2:file:/tmp/x"));
        assertNull(Durability.whyNotDurable("jdbc:h2:file:/tmp/x;write_delay=0"));
        assertNull(Durability.whyNotDurable("jdbc:postgresql://localhost/otpj"));
        assertNotNull(Durability.whyNotDurable("jdbc:postgresql://localhost/otpj?options=-c%20synchronous_commit%3Doff"));
        assertNotNull(Durability.whyNotDurable("jdbc:postgresql://localhost/otpj?options=-c synchronous_commit=local"));
        assertEquals("jdbc:h2:file:/tmp/x;WRITE_DELAY=0", Durability.durableUrl("jdbc:h2:file:/tmp/x"));
        assertEquals("jdbc:h2:file:/tmp/x;WRITE_DELAY=0", Durability.durableUrl("jdbc:h2:file:/tmp/x;WRITE_DELAY=0"));
        assertEquals("jdbc:h2:mem:x", Durability.durableUrl("jdbc:h2:mem:x"));
    }

    @Test
    void passwordsAreMaskedInUrlsAndMessages() {
        assertEquals("jdbc:postgresql://h/db?user=u&password=***&ssl=true",
                Durability.redact("jdbc:postgresql://h/db?user=u&password=s3cret&ssl=true"));
        assertEquals("jdbc:postgresql://u:***@h/db", Durability.redact("jdbc:postgresql://u:s3cret@h/db"));
        assertEquals("cannot open jdbc:h2:file:x;PASSWORD=***;CIPHER=AES", Durability.redact("cannot open jdbc:h2:file:x;PASSWORD=s3cret;CIPHER=AES"));
        assertNull(Durability.redact(null));
        assertFalse(Database.Options.of("jdbc:postgresql://h/db?password=s3cret").withCredentials("u", "p4ss").toString()
                .matches(".*(s3cret|p4ss).*"));
    }

    @Test
    void aNonDurableUrlIsRefusedUnlessAskedForAndThenReportedAsSuch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Database.open("jdbc:h2:mem:refused"));
        assertTrue(e.getMessage().contains("in-memory") && e.getMessage().contains("--ephemeral"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Database.open("jdbc:h2:file:/tmp/never;WRITE_DELAY=1000"));
        try (Database db = Database.open(Database.Options.of("jdbc:h2:mem:ephemeral" + System.nanoTime()
                + Database.H2_SETTINGS.replace(";WRITE_DELAY=0", "")).withEphemeral(true))) {
            assertFalse(db.durable());
        }
    }

    /**
     * A real JVM commits and is SIGKILLed at once: every commit it reported is in the file, through
     * the lanes and through the group commit.
     */
    @Test
    void anH2FileUrlWithoutSettingsLosesNoCommitToAKill(@TempDir Path dir) throws Exception {
        // The URL a user would pass: no WRITE_DELAY (H2's default is 500 ms of delayed writes).
        String url = "jdbc:h2:file:" + dir.resolve("plain") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        String prefix = "kill9-" + System.nanoTime();
        int n = 200;
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), DurableWriterMain.class.getName(),
                url, String.valueOf(n), prefix).redirectErrorStream(true).start();
        int committed = 0;
        int recorded = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("committed ")) {
                    committed = Integer.parseInt(line.substring("committed ".length()));
                } else if (line.startsWith("recorded ")) {
                    recorded = Integer.parseInt(line.substring("recorded ".length()));
                    if (recorded == n) {
                        break;
                    }
                }
            }
            jvm.destroyForcibly(); // SIGKILL, right after the last acknowledged commit
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the writer JVM did not die");
        } finally {
            jvm.destroyForcibly();
        }
        assertEquals(n, committed, "the writer did not report all its commits");
        assertEquals(n, recorded, "the writer did not report all its recorded donations");
        try (Database db = Database.open(url)) {
            long found = db.campaigns().findAll().stream().filter(c -> c.id().startsWith(prefix + "-")).count();
            assertEquals(n, found, "acknowledged commits lost to a kill -9");
            assertEquals(n, db.campaigns().find(prefix + "-0").orElseThrow().donationCount(),
                    "acknowledged group-committed donations lost to a kill -9");
        }
    }
}
