package io.otpj.benchmarks;

import static io.otpj.benchmarks.Batches.CALLS;
import static io.otpj.benchmarks.Batches.CALLS_SHARED;
import static io.otpj.benchmarks.Batches.WINDOW;

import io.otpj.benchmarks.OtpjServers.Caller;
import io.otpj.benchmarks.OtpjServers.Echo;
import io.otpj.benchmarks.OtpjServers.Ping;
import io.otpj.benchmarks.OtpjServers.RunCalls;
import io.otpj.benchmarks.OtpjServers.RunPipelined;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.RequestId;
import io.otpj.core.RequestSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

/** {@link GenServer#call} round trips and throughput against an echo server. */
public class OtpjCall {

    private static final Duration LONG = Duration.ofMinutes(2);

    /** The echo server and one calling process. */
    @State(Scope.Benchmark)
    public static class Servers {
        Pid echo;
        Pid caller;
        RunCalls run;
        RunPipelined pipelined;

        @Setup(Level.Trial)
        public void setUp() {
            echo = OtpjServers.start(new Echo());
            caller = OtpjServers.start(new Caller());
            run = new RunCalls(echo, CALLS);
            pipelined = new RunPipelined(echo, CALLS, WINDOW);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            OtpjServers.stop(caller);
            OtpjServers.stop(echo);
        }
    }

    /** {@code callers} calling processes sharing one echo server. */
    @State(Scope.Benchmark)
    public static class Callers {
        @Param({"1", "4", "16"})
        int callers;

        Pid[] pids;
        RunCalls run;

        @Setup(Level.Trial)
        public void setUp(Servers s) {
            pids = new Pid[callers];
            for (int i = 0; i < callers; i++) {
                pids[i] = OtpjServers.start(new Caller());
            }
            run = new RunCalls(s.echo, CALLS_SHARED / callers);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Pid p : pids) {
                OtpjServers.stop(p);
            }
        }
    }

    /** A plain (JMH) thread calls a process and waits for the reply. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object plainThread(Servers s) {
        return GenServer.call(s.echo, Ping.PING);
    }

    /** A process calls another process {@value Batches#CALLS} times in a row; the score is per call. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(CALLS)
    public Object processToProcess(Servers s) {
        return GenServer.call(s.caller, s.run, LONG);
    }

    /** 1, 4 or 16 calling processes share {@value Batches#CALLS_SHARED} sequential calls per invocation. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(CALLS_SHARED)
    public Object concurrentCallers(Callers c) {
        List<RequestId<Object>> ids = new ArrayList<>(c.pids.length);
        for (Pid p : c.pids) {
            ids.add(GenServer.sendRequest(p, c.run));
        }
        Object last = null;
        for (RequestId<Object> id : ids) {
            last = id.await(LONG);
        }
        return last;
    }

    /**
     * A plain (JMH) thread sends {@value Batches#WINDOW} requests at once through a
     * {@link RequestSet} and collects every reply; the score is per request.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(WINDOW)
    public Object pipelinedFromPlainThread(Servers s) {
        try (RequestSet<Boolean> set = RequestSet.create()) {
            for (int i = 0; i < WINDOW; i++) {
                set.send(s.echo, Ping.PING, Boolean.TRUE);
            }
            return set.awaitAll(LONG);
        }
    }

    /**
     * A process makes {@value Batches#CALLS} calls with {@value Batches#WINDOW} in flight (a sliding
     * window through a {@link RequestSet}); the score is per call.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(CALLS)
    public Object pipelinedProcessToProcess(Servers s) {
        return GenServer.call(s.caller, s.pipelined, LONG);
    }
}
