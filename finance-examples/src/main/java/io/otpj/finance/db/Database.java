package io.otpj.finance.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The finance examples' relational database: a HikariCP connection pool, the schema kept current
 * by Flyway migrations ({@code db/migration} on the class path), and the repositories.
 *
 * <h2>Which database</h2>
 * {@link #openEmbedded(Path)} opens (creating if needed) an H2 database file under a data
 * directory: nothing to install. {@link #open(String)} takes any {@code jdbc:h2:} or
 * {@code jdbc:postgresql:} URL; the same migrations run on both, H2 being opened in its
 * PostgreSQL compatibility mode. An H2 database is not closed by H2's own JVM shutdown hook
 * ({@code DB_CLOSE_ON_EXIT=FALSE} is added unless the URL sets it) but by {@link #close()}, so
 * an application stopping on SIGTERM can still write its last work.
 *
 * <h2>Durability</h2>
 * Every repository write is one transaction, committed before the method returns, and every
 * accepted URL makes that commit survive the JVM's death: an H2 file URL gets
 * {@code WRITE_DELAY=0} unless it sets it, and a URL whose commits are not durable (H2 in memory
 * or with a write delay, PostgreSQL with {@code synchronous_commit} off) is refused with
 * {@link IllegalArgumentException} unless {@link Options#withEphemeral} allows it (then
 * {@link #durable()} is false); see {@link Durability}. H2 does not fsync each commit, so an
 * operating-system crash or power loss may still lose the last commits; PostgreSQL (with its
 * default {@code synchronous_commit=on}) survives those too. URLs and driver messages in logs and
 * exceptions have their passwords masked.
 *
 * <h2>Threads</h2>
 * JDBC work never runs on the caller's thread: it runs on database workers, and the caller
 * waits for it (see {@code Lanes}). An otpj process that is killed is interrupted, and JDBC
 * drivers do not tolerate interrupts in the middle of a transaction (H2 can be left holding
 * row locks forever; a socket-based driver closes its socket). On a worker the transaction
 * finishes normally whatever happens to the process that asked for it. Work about one campaign
 * runs in submission order, so a restarted server's reload sees the outcome of its
 * predecessor's last write. Work whose process is already dead when its turn comes is skipped
 * (nothing written): a killed process's queued writes never land after it died.
 *
 * <p>Thread-safe. {@link #close} waits for work in progress, then closes the pool.
 */
public final class Database implements AutoCloseable {

    /** The default data directory of the embedded database, relative to the working directory. */
    public static final Path DEFAULT_DATA_DIR = Path.of("data");

    /**
     * The URL the pool connects with: an H2 URL gets {@code DB_CLOSE_ON_EXIT=FALSE} unless it
     * says otherwise, since {@link #close()} closes the database; H2's own JVM shutdown hook
     * would close it under an application that is still flushing its last work (a node stopping
     * on SIGTERM).
     */
    static String jdbcUrl(String url) {
        return url.startsWith("jdbc:h2:") && !url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")
                ? url + ";DB_CLOSE_ON_EXIT=FALSE"
                : url;
    }

    /**
     * H2 settings of the embedded database: PostgreSQL dialect, lower-case names, commits written
     * at once. H2 writes every commit as a new chunk at the end of the file and, without a write
     * delay, has no background thread to compact, so the file grows with what was written, not
     * with what is live; {@link #close()} compacts it fully ({@link #compactsOnClose}).
     */
    static final String H2_SETTINGS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";

    /**
     * Whether {@link #close()} ends with {@code SHUTDOWN COMPACT}: for an H2 database file this
     * JVM opened itself (not in memory, not behind an H2 server, not shared by
     * {@code AUTO_SERVER}, not a read-only {@code zip:}), since the statement closes the database
     * for everyone using it.
     */
    static boolean compactsOnClose(String url) {
        String u = url.toLowerCase(java.util.Locale.ROOT);
        if (!u.startsWith("jdbc:h2:")) {
            return false;
        }
        String rest = u.substring("jdbc:h2:".length());
        if (Durability.h2InMemory(rest) || rest.startsWith("tcp:") || rest.startsWith("ssl:") || rest.startsWith("zip:")) {
            return false;
        }
        // H2 reads true, 1, t, y and yes as true: anything but an explicit false may be shared.
        java.util.regex.Matcher m = AUTO_SERVER.matcher(rest);
        while (m.find()) {
            if (!m.group(1).trim().matches("false|0|f|n|no")) {
                return false;
            }
        }
        return true;
    }

    private static final java.util.regex.Pattern AUTO_SERVER = java.util.regex.Pattern.compile(";\\s*auto_server\\s*=([^;]*)");

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /**
     * How to open a database.
     *
     * @param url a {@code jdbc:h2:} or {@code jdbc:postgresql:} URL
     * @param user the user name, or null when the URL carries it (or none is needed)
     * @param password the password, or null
     * @param poolSize the most connections open at once, at least 1
     * @param waitTimeout how long a caller waits for its unit of work before giving up on it
     * @param ephemeral whether a URL whose commits are not durable (see {@link Durability}) is
     *     accepted; false by default, so such a URL is refused
     */
    public record Options(String url, String user, String password, int poolSize, Duration waitTimeout, boolean ephemeral) {

        /** @throws IllegalArgumentException for an unsupported URL, a pool size below 1 or a non-positive timeout */
        public Options {
            Objects.requireNonNull(url, "JDBC url must not be null");
            if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("unsupported JDBC URL '" + Durability.redact(url)
                        + "': use jdbc:h2:... (embedded) or jdbc:postgresql://host/db");
            }
            if (poolSize < 1) {
                throw new IllegalArgumentException("pool size must be at least 1, got " + poolSize);
            }
            Objects.requireNonNull(waitTimeout, "waitTimeout must not be null");
            if (waitTimeout.isNegative() || waitTimeout.isZero()) {
                throw new IllegalArgumentException("waitTimeout must be positive, got " + waitTimeout);
            }
        }

        /** @return options for {@code url}: no credentials, 8 connections, 30 s wait */
        public static Options of(String url) {
            return new Options(url, null, null, 8, Duration.ofSeconds(30), false);
        }

        /** @return these options with a user and password */
        public Options withCredentials(String user, String password) {
            return new Options(url, user, password, poolSize, waitTimeout, ephemeral);
        }

        /**
         * @param on whether a non-durable URL (H2 in memory, H2 with a write delay, PostgreSQL
         *     without synchronous commit) is accepted
         * @return these options accepting a non-durable URL or not
         */
        public Options withEphemeral(boolean on) {
            return new Options(url, user, password, poolSize, waitTimeout, on);
        }

        /** @return these options with another pool size */
        public Options withPoolSize(int size) {
            return new Options(url, user, password, size, waitTimeout, ephemeral);
        }

        /** @return these options with another wait timeout */
        public Options withWaitTimeout(Duration timeout) {
            return new Options(url, user, password, poolSize, timeout, ephemeral);
        }

        /** The password is never printed. */
        @Override
        public String toString() {
            return "Options[url=" + Durability.redact(url) + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                    + ", poolSize=" + poolSize + ", waitTimeout=" + waitTimeout + ", ephemeral=" + ephemeral + "]";
        }
    }

    private final Options options;
    private final boolean durable;
    private final HikariDataSource pool;
    private final ExecutorService workers;
    private final Lanes lanes;
    private final CampaignRepository campaigns;
    private final DonationRepository donations;
    private final TransactionRepository transactions;
    private final MilestoneRepository milestones;
    private final GroupCommit groupCommit;

    private Database(Options options, HikariDataSource pool, boolean durable) {
        this.options = options;
        this.durable = durable;
        this.pool = pool;
        this.workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("otpj-db-", 0).factory());
        this.lanes = new Lanes(workers);
        this.campaigns = new CampaignRepository(this);
        this.donations = new DonationRepository(this);
        this.transactions = new TransactionRepository(this);
        this.milestones = new MilestoneRepository(this);
        this.groupCommit = new GroupCommit(pool, donations, campaigns, Integer.toHexString(System.identityHashCode(this)));
    }

    /**
     * @return the URL of the embedded H2 database file {@code otpj-finance.mv.db} under
     *     {@code dataDir}, with the settings this module needs
     */
    public static String embeddedUrl(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir must not be null");
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("otpj-finance") + H2_SETTINGS;
    }

    /** Opens the embedded database under {@code dataDir}, creating the directory and the schema if needed. */
    public static Database openEmbedded(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDir.toAbsolutePath(), e);
        }
        return open(Options.of(embeddedUrl(dataDir)));
    }

    /** Opens the database at {@code jdbcUrl}; see {@link #open(Options)}. */
    public static Database open(String jdbcUrl) {
        return open(Options.of(jdbcUrl));
    }

    /**
     * Opens a connection pool and migrates the schema to the current version.
     *
     * @throws DatabaseException if the database cannot be reached or migrated (the pool is closed)
     * @throws IllegalArgumentException if the URL's commits are not durable and the options do not
     *     allow it ({@link Options#withEphemeral})
     */
    public static Database open(Options options) {
        Objects.requireNonNull(options, "options must not be null");
        String notDurable = Durability.whyNotDurable(options.url());
        if (notDurable != null && !options.ephemeral()) {
            throw new IllegalArgumentException("refusing " + Durability.redact(options.url()) + ": " + notDurable
                    + "; an acknowledged donation must survive a crash. Pass --ephemeral (Database.Options.withEphemeral(true))"
                    + " to run without that guarantee");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("otpj-finance");
        config.setJdbcUrl(jdbcUrl(Durability.durableUrl(options.url())));
        if (options.user() != null) {
            config.setUsername(options.user());
        }
        if (options.password() != null) {
            config.setPassword(options.password());
        }
        config.setMaximumPoolSize(options.poolSize());
        config.setMinimumIdle(Math.min(2, options.poolSize()));
        config.setAutoCommit(false);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.setConnectionTimeout(Math.max(250, options.waitTimeout().toMillis()));
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new DatabaseException("cannot open a connection pool to " + Durability.redact(options.url()) + ": "
                    + Durability.redact(e.getMessage()), e);
        }
        try {
            var result = Flyway.configure(Database.class.getClassLoader())
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            LOG.info("database_open url={} durable={} migrations_applied={} schema_version={}", Durability.redact(options.url()),
                    notDurable == null,
                    result.migrationsExecuted, result.targetSchemaVersion);
        } catch (FlywayException e) {
            pool.close();
            throw new DatabaseException("cannot migrate the schema of " + Durability.redact(options.url()) + ": "
                    + Durability.redact(e.getMessage()), e);
        }
        return new Database(options, pool, notDurable == null);
    }

    /** @return the campaigns table */
    public CampaignRepository campaigns() {
        return campaigns;
    }

    /** @return the donations table */
    public DonationRepository donations() {
        return donations;
    }

    /** @return the payment transactions table */
    public TransactionRepository transactions() {
        return transactions;
    }

    /** @return the announced campaign milestones */
    public MilestoneRepository milestones() {
        return milestones;
    }

    /** @return the JDBC URL this database was opened with, any password in it masked */
    public String url() {
        return Durability.redact(options.url());
    }

    /**
     * @return whether a committed write survives the JVM's death: false only for a URL accepted
     *     with {@link Options#withEphemeral} that is not durable (see {@link Durability})
     */
    public boolean durable() {
        return durable;
    }

    /** @return whether this is an H2 database (embedded or not) */
    public boolean isH2() {
        return options.url().startsWith("jdbc:h2:");
    }

    /**
     * What the group commit has done since this database opened.
     *
     * @param batches the transactions it committed
     * @param donations the donations those answered (stored, retries and rejections included)
     * @param largestBatch the most donations in one of them
     * @param settles the settles of pending donations they ran
     */
    public record CommitStats(long batches, long donations, int largestBatch, long settles) {
        /** @return donations per batch on average; 0 before the first batch */
        public double averageBatch() {
            return batches == 0 ? 0 : (double) donations / batches;
        }
    }

    /**
     * Returns the group commit's counters so far. Any thread: each counter has one writer (the
     * group commit's thread) and is read as it stands, so a batch committing meanwhile may be
     * counted in some of them and not yet in others.
     *
     * @return the counters
     */
    public CommitStats commitStats() {
        GroupCommit.Stats s = groupCommit.stats();
        return new CommitStats(s.batches(), s.donations(), s.largestBatch(), s.settles());
    }

    /**
     * Stops taking work, stores the donations already queued for a group commit (one whose
     * submission races with the close may be refused instead, nothing written), waits up to 10 s
     * for work in progress to finish, then closes the pool. Then an H2 database file opened by
     * this JVM ({@link #compactsOnClose}) is compacted ({@code SHUTDOWN COMPACT}): every live page
     * is copied into a new file that replaces the old one, so the file at rest is the size of its
     * data whatever a run wrote (a 30 s demo run's 1,113 MB file became 80 MB in 2.2 s). H2 writes
     * the copy beside the file and renames it over it, so a crash during the compaction leaves the
     * old file; a failed compaction is logged, and the data is as the pool left it. Not while
     * another {@code Database} of this JVM has the same file open: the statement closes it for
     * both. Idempotent.
     */
    @Override
    public void close() {
        groupCommit.close(); // what is queued is stored or, racing with the close, refused (never left waiting)
        workers.shutdown();
        boolean idle = false;
        try {
            idle = workers.awaitTermination(10, TimeUnit.SECONDS);
            if (!idle) {
                LOG.warn("database_close_timeout url={} detail=work still running after 10 s", Durability.redact(options.url()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean open = !pool.isClosed();
        pool.close();
        if (idle && open && compactsOnClose(options.url())) {
            // Not on the caller's thread (see Threads above): an interrupt there would close H2's
            // file channel in the middle of the copy. The caller waits for it all the same.
            Thread t = Thread.ofPlatform().name("otpj-db-compact").start(this::compact);
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * {@code SHUTDOWN COMPACT} on a connection of its own, once the pool has closed (and H2 with
     * it, in the normal way): a pooled connection would be rolled back by the pool after the
     * statement has closed the database. Skipped if the database is still open for another
     * session (another {@code Database} of this JVM on the same file): the statement would close
     * it under that one. {@code IFEXISTS}: a file that is gone is not created again.
     */
    private void compact() {
        long t0 = System.nanoTime();
        try (Connection c = java.sql.DriverManager.getConnection(ifExists(jdbcUrl(Durability.durableUrl(options.url()))),
                options.user(), options.password()); var st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS")) {
                long sessions = rs.next() ? rs.getLong(1) : 0;
                if (sessions > 1) {
                    LOG.info("database_compact_skipped url={} reason=open in {} other session(s)", Durability.redact(options.url()),
                            sessions - 1);
                    return;
                }
            }
            st.execute("SHUTDOWN COMPACT");
            LOG.info("database_compacted url={} millis={}", Durability.redact(options.url()),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } catch (SQLException | RuntimeException e) {
            LOG.warn("database_compact_failed url={} detail={}", Durability.redact(options.url()),
                    Durability.redact(String.valueOf(e.getMessage())));
        }
    }

    private static String ifExists(String url) {
        return url.toUpperCase(java.util.Locale.ROOT).contains("IFEXISTS") ? url : url + ";IFEXISTS=TRUE";
    }

    // ------------------------------------------------------------------ internals

    /**
     * Runs {@code work} in one transaction on a database worker, after the work submitted earlier
     * under {@code lane} (null: no order), and waits for it. Commits when {@code work} returns,
     * rolls back when it throws. If it is called from an otpj process that is dead when its turn
     * comes, {@code work} does not run at all and the result is a {@link DatabaseException}: a
     * killed server's queued write never lands after its successor reloaded. Work already running
     * when its process dies finishes (commit or rollback), and the lane's order is kept either way.
     *
     * @throws DatabaseException for an {@link SQLException}, a timeout or an interrupted wait
     * @throws RuntimeException whatever unchecked exception {@code work} threw (it was rolled back)
     */
    <T> T transaction(Object lane, String operation, SqlWork<T> work) {
        // The submitter is captured so that queued work of a process killed meanwhile is skipped:
        // otherwise it could commit after its restarted successor reloaded, behind its back.
        Pid submitter = Proc.isProcess() ? Proc.self() : null;
        var future = lanes.submit(lane, () -> {
            if (submitter != null && !submitter.isAlive()) {
                throw abandoned(operation, submitter);
            }
            try (Connection c = pool.getConnection()) {
                try {
                    if (submitter != null && !submitter.isAlive()) {
                        // Died while this worker waited for a connection: nothing was run yet.
                        throw abandoned(operation, submitter);
                    }
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (Throwable t) {
                    try {
                        c.rollback();
                    } catch (SQLException rollbackFailure) {
                        t.addSuppressed(rollbackFailure);
                    }
                    throw t;
                }
            }
        });
        return await(future, operation);
    }

    /**
     * Waits for {@code future}, a database operation's outcome, up to the options' wait timeout.
     *
     * @throws DatabaseException for an {@link SQLException}, a timeout or an interrupted wait
     *     (the thread's interrupt status is kept)
     * @throws RuntimeException whatever unchecked exception the operation failed with
     */
    <T> T await(java.util.concurrent.Future<T> future, String operation) {
        try {
            return future.get(options.waitTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // The process was killed (or the thread interrupted): give up waiting; the work
            // finishes on its worker and later work in its lane waits for it.
            Thread.currentThread().interrupt();
            throw new DatabaseException("interrupted while waiting for " + operation + "; its outcome is unknown", e);
        } catch (TimeoutException e) {
            throw new DatabaseException("no answer from the database within " + options.waitTimeout() + " for "
                    + operation + "; its outcome is unknown", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            switch (cause) {
                case SQLException s -> throw DatabaseException.of(operation, s);
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new DatabaseException("database error in " + operation + ": " + cause, cause);
            }
        }
    }

    /** @return the last work item queued in {@code lane}, or null if it is idle (lets tests see a submission) */
    java.util.concurrent.CompletableFuture<?> laneTail(Object lane) {
        return lanes.tail(lane);
    }

    private static DatabaseException abandoned(String operation, Pid submitter) {
        LOG.debug("database_work_skipped operation={} submitter={} reason=submitter dead", operation, submitter);
        return new DatabaseException("skipped " + operation + ": the process " + submitter
                + " that asked for it died before it ran; nothing was written", null);
    }

    /** @return the connection pool (for tests that build a {@link GroupCommit} of their own) */
    DataSource pool() {
        return pool;
    }

    /** @return the group commit of pending donations */
    GroupCommit groupCommit() {
        return groupCommit;
    }

    /** @return the lane of the work about one campaign */
    static Object campaignLane(String campaignId) {
        return new Lane("campaign", campaignId);
    }

    record Lane(String kind, String key) {}
}
