package io.otpj.benchmarks;

import static io.otpj.benchmarks.Batches.SPAWNS;

import io.otpj.benchmarks.OtpjServers.Batch;
import io.otpj.core.Pid;
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
 * Spawning GenServers, {@value Batches#SPAWNS} per batch: from one plain thread calling
 * {@code GenServer.start} in a row (each start returns once the new server's {@code init} has run,
 * so this is bounded by the start's round trip), and from {@value #STARTERS} starter processes at
 * once. Single-shot: one batch per iteration, time per start; the servers are stopped (and waited
 * for) outside the measured time.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class OtpjSpawn {

    Batch batch;

    @Setup(Level.Invocation)
    public void newBatch() {
        batch = new Batch(SPAWNS);
    }

    @TearDown(Level.Invocation)
    public void stopBatch() throws InterruptedException {
        batch.stopAll();
        batch = null;
    }

    /** One plain thread starts the batch, one server after the other. */
    @Benchmark
    @OperationsPerInvocation(SPAWNS)
    public Pid[] start() {
        batch.startAll();
        return batch.pids;
    }

    /** {@value #STARTERS} starter processes start the batch together, each its share in sequence. */
    @Benchmark
    @OperationsPerInvocation(SPAWNS)
    public Pid[] startConcurrently() throws InterruptedException {
        batch.startAllConcurrently(STARTERS);
        return batch.pids;
    }

    static final int STARTERS = 16;
}
