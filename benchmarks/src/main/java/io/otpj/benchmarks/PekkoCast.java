package io.otpj.benchmarks;

import static io.otpj.benchmarks.Batches.CASTS;
import static io.otpj.benchmarks.Batches.CASTS_PER_PAIR;
import static io.otpj.benchmarks.Batches.PAIRS;

import io.otpj.benchmarks.PekkoActors.Flush;
import io.otpj.benchmarks.PekkoActors.Go;
import io.otpj.benchmarks.PekkoActors.Inc;
import io.otpj.benchmarks.PekkoActors.Producer;
import io.otpj.benchmarks.PekkoActors.Sink;
import io.otpj.benchmarks.PekkoActors.SinkMsg;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SpawnProtocol;
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
import org.openjdk.jmh.annotations.Threads;

/** The Pekko peer of {@link OtpjCast}: {@code tell} instead of cast, measured the same way. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class PekkoCast {

    ActorSystem<SpawnProtocol.Command> system;
    ActorRef<SinkMsg> sink;
    List<ActorRef<Go>> producers;

    @Setup(Level.Trial)
    public void setUp() {
        system = PekkoActors.system("cast");
        sink = PekkoActors.spawn(system, Sink.create(), "sink");
        producers = new ArrayList<>(PAIRS);
        for (int i = 0; i < PAIRS; i++) {
            ActorRef<SinkMsg> s = PekkoActors.spawn(system, Sink.create(), "sink-" + i);
            producers.add(PekkoActors.spawn(system, Producer.create(s, CASTS_PER_PAIR), "producer-" + i));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        PekkoActors.terminate(system);
    }

    @Benchmark
    @OperationsPerInvocation(CASTS)
    public void oneProducer() throws InterruptedException {
        tellBatch(sink);
    }

    @Benchmark
    @Threads(4)
    @OperationsPerInvocation(CASTS)
    public void fourProducers() throws InterruptedException {
        tellBatch(sink);
    }

    /** 64 producer actors, each telling its own sink actor. */
    @Benchmark
    @OperationsPerInvocation(PAIRS * CASTS_PER_PAIR)
    public void pairs() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(PAIRS);
        Go go = new Go(done);
        for (ActorRef<Go> p : producers) {
            p.tell(go);
        }
        Batches.await(done);
    }

    static void tellBatch(ActorRef<SinkMsg> sink) throws InterruptedException {
        for (int i = 0; i < CASTS; i++) {
            sink.tell(Inc.INC);
        }
        CountDownLatch done = new CountDownLatch(1);
        sink.tell(new Flush(done));
        Batches.await(done);
    }
}
