package io.otpj.benchmarks;

import io.otpj.benchmarks.OtpjServers.Batch;
import io.otpj.benchmarks.OtpjServers.Echo;
import io.otpj.benchmarks.OtpjServers.Ping;
import io.otpj.benchmarks.OtpjServers.Sink;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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

/**
 * Call and cast with a million idle GenServers alive in the same runtime: the same measurements
 * as {@link OtpjCall#plainThread} and {@link OtpjCast#oneProducer}, to show what an idle
 * population costs the active processes (scheduler, GC). The population is started from
 * {@value OtpjSpawn#STARTERS} starter processes, and the measurement begins once the JVM has gone
 * quiet ({@link Quiet}), so the servers are parked, not still settling.
 */
@State(Scope.Benchmark)
public class OtpjIdle {

    @Param({"1000000"})
    int idle;

    Batch population;
    Pid sink;
    Pid echo;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        population = new Batch(idle);
        population.startAllConcurrently(OtpjSpawn.STARTERS);
        // Started is not yet idle: each new server spins and yields before it parks. Measure beside
        // a settled population, as the figure means.
        Duration settled = Quiet.await(Duration.ofMinutes(2));
        System.out.println("idle population of " + idle + " settled after " + settled.toMillis() + " ms");
        sink = OtpjServers.start(new Sink());
        echo = OtpjServers.start(new Echo());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        OtpjServers.stop(sink);
        OtpjServers.stop(echo);
        population.stopAll();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object plainThreadCall() {
        return GenServer.call(echo, Ping.PING);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(Batches.CASTS)
    public void oneProducerCast() throws InterruptedException {
        OtpjCast.castBatch(sink);
    }
}
