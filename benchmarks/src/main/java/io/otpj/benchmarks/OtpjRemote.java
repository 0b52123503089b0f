package io.otpj.benchmarks;

import io.otpj.cluster.Cluster;
import io.otpj.core.GenServer;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.Pid;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * otpj-cluster between two JVMs on this machine (TCP over 127.0.0.1, JGroups' default-style
 * stack): a call round trip and cast throughput from a plain thread of this JVM to a GenServer
 * in the other ({@link RemotePeer}). Its peer is {@link PekkoRemote}, Artery TCP.
 */
@State(Scope.Benchmark)
public class OtpjRemote {

    /** Casts per invocation of {@link #cast}, then one flush call. */
    static final int CASTS = 10_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    RemotePeer.Started peer;
    Node node;
    Cluster cluster;
    Pid echo;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String name = "otpj-bench-" + UUID.randomUUID();
        peer = RemotePeer.start("otpj", name);
        node = Node.start(NodeOptions.named("bench-client@127.0.0.1").withShutdownHook(false));
        cluster = Cluster.join(node, RemotePeer.clusterOptions(name, peer.port()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!cluster.nodes().contains(RemotePeer.SERVER_NODE)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not connected to the peer: " + cluster);
            }
            Thread.sleep(10); // the greeting comes on JGroups' thread: nothing to wait on
        }
        echo = cluster.whereis(RemotePeer.SERVER_NODE, "echo", TIMEOUT).orElseThrow();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        cluster.close();
        node.stop(Duration.ofSeconds(5));
        peer.stop();
    }

    /** A plain thread calls the server in the other JVM and waits for the reply. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object call() {
        return GenServer.call(echo, "ping", TIMEOUT);
    }

    /** A plain thread casts {@value #CASTS} times to the server in the other JVM, then waits for all to be handled. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(CASTS)
    public Object cast() {
        Long one = 1L;
        for (int i = 0; i < CASTS; i++) {
            GenServer.cast(echo, one);
        }
        return GenServer.call(echo, "flush", TIMEOUT);
    }
}
