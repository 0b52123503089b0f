package io.otpj.benchmarks;

import io.otpj.cluster.Cluster;
import io.otpj.cluster.ClusterOptions;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The far side of the remote benchmarks: a second JVM on this machine holding the server, an
 * otpj node joined over TCP on 127.0.0.1 ({@code otpj}) or a Pekko ActorSystem with Artery TCP
 * remoting ({@code pekko}). Both servers answer {@code "ping"} with {@code "pong"}, count the
 * {@code Long}s sent to them, and answer {@code "flush"} with the count, so a batch of casts
 * (tells) followed by a flush measures messages handled. The benchmark JVM starts it with
 * {@link #start} and stops it when the trial ends.
 */
public final class RemotePeer {

    static final String SERVER_NODE = "bench-server@127.0.0.1";

    private RemotePeer() {}

    /** A started peer JVM. */
    record Started(Process process, int port, Path log) {
        void stop() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Starts the peer JVM of {@code kind} on a free-looking port and waits for it to be ready. */
    static Started start(String kind, String cluster) throws IOException, InterruptedException {
        int port = 30_000 + ThreadLocalRandom.current().nextInt(1500) * 10;
        Path log = Files.createTempFile("otpj-remote-peer-" + kind, ".log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Djava.net.preferIPv4Stack=true", "-Xms512m", "-Xmx512m", RemotePeer.class.getName(), kind, cluster,
                Integer.toString(port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("READY")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("the " + kind + " peer did not start: " + Files.readString(log));
            }
            Thread.sleep(20); // polling a child's log file: there is nothing to wait on
        }
        return new Started(p, port, log);
    }

    static ClusterOptions clusterOptions(String cluster, int port) {
        return ClusterOptions.named(cluster)
                .withStack(ClusterOptions.Stack.tcp("127.0.0.1", port, 4, List.of("127.0.0.1[" + port + "]")))
                .withJoinTimeout(Duration.ofSeconds(60));
    }

    static Config pekkoConfig(int port) {
        return ConfigFactory.parseString("""
                pekko.actor.provider = remote
                pekko.remote.artery.transport = tcp
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = %d
                # Artery drops what does not fit its outbound queue (3,072 by default): big enough for a batch.
                pekko.remote.artery.advanced.outbound-message-queue-size = 100000
                pekko.loglevel = WARNING
                pekko.stdout-loglevel = WARNING
                pekko.log-dead-letters = off
                pekko.remote.warn-about-direct-use = off
                pekko.remote.warn-unsafe-watch-outside-cluster = off
                """.formatted(port)).withFallback(ConfigFactory.load());
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int port = Integer.parseInt(args[2]);
        if (kind.equals("otpj")) {
            Node node = Node.start(NodeOptions.named(SERVER_NODE).withShutdownHook(false));
            Cluster.join(node, clusterOptions(args[1], port));
            node.call(() -> GenServer.start(new Counter(), null, Name.local("echo")));
        } else {
            ActorSystem system = ActorSystem.create("remote", pekkoConfig(port));
            system.actorOf(Props.create(CountingActor.class), "echo");
        }
        System.out.println("READY");
        System.out.flush();
        Thread.currentThread().join();
    }

    /** The otpj server: "ping" → "pong", a Long cast counted, "flush" → the count. */
    static final class Counter implements GenServer<Void, long[]> {
        @Override
        public InitResult<long[]> init(Void arg) {
            return ok(new long[1]);
        }

        @Override
        public CallResult<long[]> handleCall(Object request, From from, long[] count) {
            return reply("flush".equals(request) ? (Object) count[0] : "pong", count);
        }

        @Override
        public CastResult<long[]> handleCast(Object request, long[] count) {
            count[0]++;
            return noreply(count);
        }
    }

    /** The Pekko server, the same protocol as {@link Counter}. */
    public static final class CountingActor extends AbstractActor {
        private long count;

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(Long.class, l -> count++)
                    .matchEquals("flush", m -> getSender().tell(count, getSelf()))
                    .matchEquals("ping", m -> getSender().tell("pong", getSelf()))
                    .build();
        }
    }
}
