package io.otpj.benchmarks;

import static io.otpj.benchmarks.Batches.CALLS;
import static io.otpj.benchmarks.Batches.CALLS_SHARED;
import static io.otpj.benchmarks.Batches.WINDOW;

import io.otpj.benchmarks.PekkoActors.Echo;
import io.otpj.benchmarks.PekkoActors.Ping;
import io.otpj.benchmarks.PekkoActors.Pong;
import io.otpj.benchmarks.PekkoActors.PipelinedRequester;
import io.otpj.benchmarks.PekkoActors.Requester;
import io.otpj.benchmarks.PekkoActors.RequesterMsg;
import io.otpj.benchmarks.PekkoActors.Run;
import io.otpj.benchmarks.PekkoActors.RunPipelined;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The Pekko peer of {@link OtpjCall}: ask from a plain thread, request/reply between actors. */
public class PekkoCall {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

    /** The actor system, the echo actor and one requesting actor. */
    @State(Scope.Benchmark)
    public static class Actors {
        ActorSystem<SpawnProtocol.Command> system;
        ActorRef<Ping> echo;
        ActorRef<RequesterMsg> requester;
        ActorRef<RequesterMsg> pipelined;

        @Setup(Level.Trial)
        public void setUp() {
            system = PekkoActors.system("call");
            echo = PekkoActors.spawn(system, Echo.create(), "echo");
            requester = PekkoActors.spawn(system, Requester.create(echo), "requester");
            pipelined = PekkoActors.spawn(system, PipelinedRequester.create(echo), "pipelined");
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            PekkoActors.terminate(system);
        }
    }

    /** {@code callers} requesting actors sharing the echo actor. */
    @State(Scope.Benchmark)
    public static class Callers {
        @Param({"1", "4", "16"})
        int callers;

        List<ActorRef<RequesterMsg>> refs;

        @Setup(Level.Trial)
        public void setUp(Actors a) {
            refs = new ArrayList<>(callers);
            for (int i = 0; i < callers; i++) {
                refs.add(PekkoActors.spawn(a.system, Requester.create(a.echo), "requester-" + i));
            }
        }
    }

    /** {@code AskPattern.ask} from a plain (JMH) thread, joined. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Pong askFromPlainThread(Actors a) {
        return AskPattern.<Ping, Pong>ask(a.echo, Ping::new, ASK_TIMEOUT, a.system.scheduler())
                .toCompletableFuture().join();
    }

    /** An actor makes {@value Batches#CALLS} request/reply exchanges in a row; the score is per exchange. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(CALLS)
    public void actorToActor(Actors a) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        a.requester.tell(new Run(CALLS, done));
        Batches.await(done);
    }

    /** 1, 4 or 16 requesting actors share {@value Batches#CALLS_SHARED} request/reply exchanges. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(CALLS_SHARED)
    public void concurrentCallers(Callers c) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(c.refs.size());
        Run run = new Run(CALLS_SHARED / c.refs.size(), done);
        for (ActorRef<RequesterMsg> r : c.refs) {
            r.tell(run);
        }
        Batches.await(done);
    }

    /**
     * Pekko's ask-many: a plain (JMH) thread asks {@value Batches#WINDOW} times at once and joins
     * every future; the score is per request.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(WINDOW)
    public Object askManyFromPlainThread(Actors a) {
        CompletableFuture<?>[] asks = new CompletableFuture<?>[WINDOW];
        for (int i = 0; i < WINDOW; i++) {
            asks[i] = AskPattern.<Ping, Pong>ask(a.echo, Ping::new, ASK_TIMEOUT, a.system.scheduler())
                    .toCompletableFuture();
        }
        return CompletableFuture.allOf(asks).join();
    }

    /**
     * An actor makes {@value Batches#CALLS} request/reply exchanges with {@value Batches#WINDOW} in
     * flight (a sliding window); the score is per exchange.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(CALLS)
    public void pipelinedActorToActor(Actors a) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        a.pipelined.tell(new RunPipelined(CALLS, WINDOW, done));
        Batches.await(done);
    }
}
