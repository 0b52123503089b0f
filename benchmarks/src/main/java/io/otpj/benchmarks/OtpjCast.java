package io.otpj.benchmarks;

import static io.otpj.benchmarks.Batches.CASTS;
import static io.otpj.benchmarks.Batches.CASTS_PER_PAIR;
import static io.otpj.benchmarks.Batches.PAIRS;

import io.otpj.benchmarks.OtpjServers.Flush;
import io.otpj.benchmarks.OtpjServers.Go;
import io.otpj.benchmarks.OtpjServers.Inc;
import io.otpj.benchmarks.OtpjServers.Sink;
import io.otpj.core.GenServer;
import io.otpj.core.MailboxLimit;
import io.otpj.core.StartOptions;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.util.concurrent.CountDownLatch;
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
import java.util.concurrent.TimeUnit;

/**
 * Cast throughput. An operation is one cast that the server has <em>handled</em>: each invocation
 * sends a batch of casts and then a {@link Flush} cast, and waits until the server reaches it.
 * Messages from one sender arrive in order, so the wait covers the processing of the whole batch.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class OtpjCast {

    Pid sink;
    /** A server started with a hot (padded) mailbox: {@code StartOptions.withHotMailbox(true)}. */
    Pid hotSink;
    /** A server with a bounded mailbox that never fills: the cost of the bound check alone. */
    Pid boundedSink;
    Pid[] pairSinks;
    Pid[] producers;

    @Setup(Level.Trial)
    public void setUp() {
        sink = OtpjServers.start(new Sink());
        hotSink = GenServer.start(new Sink(), null, StartOptions.defaults().withHotMailbox(true)).pid();
        boundedSink = GenServer.start(new Sink(), null,
                StartOptions.defaults().withMailboxLimit(MailboxLimit.dropping(Integer.MAX_VALUE))).pid();
        pairSinks = new Pid[PAIRS];
        producers = new Pid[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            pairSinks[i] = OtpjServers.start(new Sink());
            producers[i] = OtpjServers.producer(pairSinks[i], CASTS_PER_PAIR);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        OtpjServers.stop(sink);
        OtpjServers.stop(hotSink);
        OtpjServers.stop(boundedSink);
        for (int i = 0; i < PAIRS; i++) {
            Proc.send(producers[i], "done");
            OtpjServers.stop(pairSinks[i]);
        }
    }

    /** One plain thread casting to one server. */
    @Benchmark
    @OperationsPerInvocation(CASTS)
    public void oneProducer() throws InterruptedException {
        castBatch(sink);
    }

    /** One plain thread casting to one server whose mailbox is hot. */
    @Benchmark
    @OperationsPerInvocation(CASTS)
    public void oneProducerHot() throws InterruptedException {
        castBatch(hotSink);
    }

    /** One plain thread casting to one server whose mailbox is bounded (and never full). */
    @Benchmark
    @OperationsPerInvocation(CASTS)
    public void oneProducerBounded() throws InterruptedException {
        castBatch(boundedSink);
    }

    /** Four plain threads casting to the same server; the score is their sum. */
    @Benchmark
    @Threads(4)
    @OperationsPerInvocation(CASTS)
    public void fourProducers() throws InterruptedException {
        castBatch(sink);
    }

    /** 64 producer processes, each casting to its own server. */
    @Benchmark
    @OperationsPerInvocation(PAIRS * CASTS_PER_PAIR)
    public void pairs() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(PAIRS);
        Go go = new Go(done);
        for (Pid p : producers) {
            Proc.send(p, go);
        }
        Batches.await(done);
    }

    static void castBatch(Pid server) throws InterruptedException {
        for (int i = 0; i < CASTS; i++) {
            GenServer.cast(server, Inc.INC);
        }
        CountDownLatch done = new CountDownLatch(1);
        GenServer.cast(server, new Flush(done));
        Batches.await(done);
    }
}
