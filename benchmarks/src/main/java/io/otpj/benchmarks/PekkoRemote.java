package io.otpj.benchmarks;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.pattern.Patterns;
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
 * The Pekko peer of {@link OtpjRemote}: two ActorSystems in two JVMs with Artery TCP remoting on
 * 127.0.0.1; ask from a plain thread, and tells followed by one ask for the count.
 */
@State(Scope.Benchmark)
public class PekkoRemote {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    RemotePeer.Started peer;
    ActorSystem system;
    ActorRef echo;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        peer = RemotePeer.start("pekko", "pekko-" + UUID.randomUUID());
        system = ActorSystem.create("client", RemotePeer.pekkoConfig(0));
        echo = system.actorSelection("pekko://remote@127.0.0.1:" + peer.port() + "/user/echo")
                .resolveOne(TIMEOUT).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        peer.stop();
    }

    /** Ask from a plain thread to the actor in the other JVM. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object ask() throws Exception {
        return Patterns.ask(echo, "ping", TIMEOUT).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** {@value OtpjRemote#CASTS} tells from a plain thread, then an ask for the count. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(OtpjRemote.CASTS)
    public Object tell() throws Exception {
        Long one = 1L;
        for (int i = 0; i < OtpjRemote.CASTS; i++) {
            echo.tell(one, ActorRef.noSender());
        }
        return Patterns.ask(echo, "flush", TIMEOUT).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
