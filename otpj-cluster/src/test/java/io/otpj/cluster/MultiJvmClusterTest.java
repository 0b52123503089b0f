package io.otpj.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.test.TestKit;
import io.otpj.test.TestProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three JVMs and this one as nodes of one cluster over TCP on 127.0.0.1. One JVM is killed with
 * SIGKILL while the others exchange numbered messages: every monitor on its process fires
 * {@code noconnection} exactly once, on every survivor, and no message is lost or delivered twice.
 */
@Timeout(180)
class MultiJvmClusterTest {

    record Ping(Pid replyTo, int n) {}
    record Pong(String node, int n) {}
    record Watch(Pid observer, List<String> nodes) {}
    record Watching(String node) {}
    record Report(String node, String lostNode, ExitReason reason) {}
    record NodesQuery(Pid replyTo) {}
    record NodesAre(String node, List<String> nodes) {}

    static ClusterOptions options(String cluster, int basePort) {
        return ClusterOptions.named(cluster)
                .withStack(ClusterOptions.Stack.tcp("127.0.0.1", basePort, 10, List.of("127.0.0.1[" + basePort + "]")))
                .allow(Ping.class, Pong.class, Watch.class, Watching.class, Report.class, NodesQuery.class, NodesAre.class)
                .withJoinTimeout(Duration.ofSeconds(60));
    }

    /** A child node: joins, registers "sleeper" and "echo", says READY, and runs until killed. */
    public static void main(String[] args) throws Exception {
        Node node = Node.start(NodeOptions.named(args[0]).withShutdownHook(false));
        Cluster cluster = Cluster.join(node, options(args[1], Integer.parseInt(args[2])));
        Pid sleeper = node.spawn(() -> Proc.receive());
        Pid echo = node.spawn(() -> echo(cluster));
        node.run(() -> {
            Proc.register("sleeper", sleeper);
            Proc.register("echo", echo);
        });
        System.out.println("READY " + args[0]);
        System.out.flush();
        Thread.currentThread().join();
    }

    private static void echo(Cluster cluster) {
        Pid observer = null;
        for (;;) {
            switch (Proc.receive()) {
                case Ping(Pid to, int n) -> Proc.send(to, new Pong(cluster.nodeName(), n));
                case NodesQuery(Pid to) -> Proc.send(to, new NodesAre(cluster.nodeName(), cluster.nodes()));
                case Watch(Pid o, List<String> others) -> {
                    observer = o;
                    for (String n : others) {
                        Proc.monitor(cluster.whereis(n, "sleeper", Duration.ofSeconds(10)).orElseThrow());
                    }
                    Proc.send(o, new Watching(cluster.nodeName()));
                }
                case Down d -> Proc.send(observer, new Report(cluster.nodeName(), d.pid().node(), d.reason()));
                default -> {}
            }
        }
    }

    private static Process child(String name, String cluster, int port, Path log) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Djava.net.preferIPv4Stack=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.log.org.jgroups=warn", MultiJvmClusterTest.class.getName(), name, cluster, Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void aNodeKilledWithSigkillIsDownWithNoconnectionOnceOnEverySurvivorAndNoMessageIsLostOrDoubled() throws Exception {
        String cluster = "otpj-jvms-" + UUID.randomUUID();
        int port = 20_000 + ThreadLocalRandom.current().nextInt(2000) * 10;
        String run = Long.toString(System.nanoTime() % 100_000, 36);
        List<String> names = List.of("jvm-a-" + run + "@127.0.0.1", "jvm-b-" + run + "@127.0.0.1", "jvm-c-" + run + "@127.0.0.1");
        Node here = Node.start(NodeOptions.named("observer-" + run + "@127.0.0.1").withShutdownHook(false));
        Cluster observer = Cluster.join(here, options(cluster, port));
        List<Process> jvms = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try (TestProbe probe = TestProbe.start(here)) {
            for (String n : names) {
                Path log = Files.createTempFile("otpj-cluster-" + n.substring(0, 5), ".log");
                logs.add(log);
                jvms.add(child(n, cluster, port, log));
            }
            for (int i = 0; i < names.size(); i++) {
                Path log = logs.get(i);
                Process p = jvms.get(i);
                TestKit.eventually(() -> contains(log, "READY") || !p.isAlive(), Duration.ofSeconds(90), () -> "no READY in " + log);
                assertTrue(p.isAlive(), () -> "child died: " + read(log));
            }
            TestKit.eventually(() -> observer.nodes().size() == 3, Duration.ofSeconds(60), () -> "observer sees " + observer.nodes());
            Map<String, Pid> echo = new HashMap<>();
            for (String n : names) {
                echo.put(n, observer.whereis(n, "echo", Duration.ofSeconds(10)).orElseThrow());
            }
            // Every child connected to the three others before the watches are set.
            for (String n : names) {
                TestKit.eventually(() -> {
                    Proc.send(echo.get(n), new NodesQuery(probe.pid()));
                    try {
                        NodesAre are = (NodesAre) probe.expectMessage(m -> m instanceof NodesAre a && a.node().equals(n),
                                Duration.ofSeconds(5));
                        return are.nodes().size() == 3;
                    } catch (AssertionError droppedDuringAMerge) {
                        // A child that missed the others at start-up forms a view of its own until
                        // JGroups' MERGE3 joins the views (seen once in CI: ~15 s); a query sent
                        // meanwhile is dropped, as OTP drops a message to a node it is not
                        // connected to. Set-up only: ask again.
                        return false;
                    }
                }, Duration.ofSeconds(90), () -> n + " is not connected to all");
            }
            for (String n : names) {
                List<String> others = names.stream().filter(o -> !o.equals(n)).toList();
                Proc.send(echo.get(n), new Watch(probe.pid(), others));
                probe.expectMessageEquals(new Watching(n));
            }
            String victim = names.get(2);
            Pid victimSleeper = observer.whereis(victim, "sleeper", Duration.ofSeconds(10)).orElseThrow();
            probe.monitor(victimSleeper);

            // Numbered messages to the two survivors, the kill in the middle of them.
            int count = 2000;
            Pid probePid = probe.pid();
            Pid pinger = here.spawn(() -> {
                for (int i = 0; i < count; i++) {
                    Proc.send(echo.get(names.get(0)), new Ping(probePid, i));
                    Proc.send(echo.get(names.get(1)), new Ping(probePid, i));
                    if (i == count / 4) {
                        jvms.get(2).destroyForcibly(); // SIGKILL
                    }
                }
            });
            Map<String, Integer> next = new HashMap<>(Map.of(names.get(0), 0, names.get(1), 0));
            for (int k = 0; k < 2 * count; k++) {
                Pong pong = (Pong) probe.expectMessage(m -> m instanceof Pong, Duration.ofSeconds(30));
                assertEquals(next.get(pong.node()), pong.n(), "from " + pong.node());
                next.put(pong.node(), pong.n() + 1);
            }
            assertTrue(jvms.get(2).waitFor(30, java.util.concurrent.TimeUnit.SECONDS));

            Down down = (Down) probe.expectMessage(m -> m instanceof Down d && d.pid().equals(victimSleeper), Duration.ofSeconds(60));
            assertEquals(ExitReason.noconnection(), down.reason());
            for (String survivor : names.subList(0, 2)) {
                Report r = (Report) probe.expectMessage(m -> m instanceof Report rep && rep.node().equals(survivor),
                        Duration.ofSeconds(60));
                assertEquals(new Report(survivor, victim, ExitReason.noconnection()), r);
            }
            // Exactly once: no second DOWN, report or pong after the loss has been handled.
            probe.expectNoMessage(Duration.ofSeconds(2));
            assertEquals(List.of(names.get(0), names.get(1)), observer.nodes());
            Proc.exit(pinger, ExitReason.kill());
        } finally {
            for (Process p : jvms) {
                p.destroyForcibly();
            }
            observer.close();
            here.stop(Duration.ofSeconds(5));
        }
    }

    private static boolean contains(Path log, String text) {
        return read(log).contains(text);
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
