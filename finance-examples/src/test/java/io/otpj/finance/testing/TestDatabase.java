package io.otpj.finance.testing;

import io.otpj.finance.db.Database;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.money.Money;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Databases for tests: an embedded H2 file in a fresh temporary directory, or, when the
 * environment variable {@code OTPJ_FINANCE_TEST_PG_URL} names a PostgreSQL database (e.g.
 * {@code jdbc:postgresql://localhost:5432/otpj?user=otpj&password=otpj}), that database.
 */
public final class TestDatabase {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private TestDatabase() {}

    /**
     * @return the PostgreSQL URL to test against, or null for H2: the environment's
     *     {@code OTPJ_FINANCE_TEST_PG_URL}, else, under {@code -Dotpj.finance.test.pg=local} (the
     *     module's {@code on-postgresql} test execution), a server these tests start themselves
     *     ({@link LocalPostgres}); without PostgreSQL binaries the test is skipped, or fails when
     *     the environment says {@code OTPJ_FINANCE_TEST_PG=required} (CI does)
     */
    public static String postgresUrl() {
        String url = System.getenv("OTPJ_FINANCE_TEST_PG_URL");
        if (url != null && !url.isBlank()) {
            return url;
        }
        if (!"local".equals(System.getProperty("otpj.finance.test.pg"))) {
            return null;
        }
        java.util.Optional<String> local = LocalPostgres.url();
        if (local.isPresent()) {
            return local.get();
        }
        if ("required".equals(System.getenv("OTPJ_FINANCE_TEST_PG"))) {
            throw new IllegalStateException("PostgreSQL is required for these tests: " + LocalPostgres.unavailable());
        }
        org.junit.jupiter.api.Assumptions.abort("PostgreSQL tests skipped: " + LocalPostgres.unavailable());
        return null;
    }

    /** Opens a new database; the caller closes it. */
    public static Database open(Path tempDir) {
        String pg = postgresUrl();
        return pg != null ? Database.open(pg) : Database.openEmbedded(tempDir);
    }

    /** @return an id no other test in this JVM uses (a shared PostgreSQL database keeps old rows) */
    public static String uniqueId(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 1_000_000_000L + "-" + SEQ.incrementAndGet();
    }

    /** Stores a new active campaign with a unique id and the given goal. */
    public static Campaign campaign(Database db, Money goal) {
        return db.campaigns().create(Campaign.create(uniqueId("c"), "Test Campaign", goal));
    }

    /** Deletes a directory tree (best effort). */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
