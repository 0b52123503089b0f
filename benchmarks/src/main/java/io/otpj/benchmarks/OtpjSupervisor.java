package io.otpj.benchmarks;

import io.otpj.benchmarks.OtpjServers.Echo;
import io.otpj.benchmarks.OtpjServers.Ping;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.supervisor.ChildSpec;
import io.otpj.supervisor.Supervisor;
import io.otpj.supervisor.SupervisorFlags;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The supervisor module: the time from a child's crash until its replacement answers a call.
 * One operation: kill the named child (an untrappable {@code kill}, so no crash report is
 * formatted), wait (yielding) until the name is registered again, and call it; the call is
 * answered once the replacement's {@code init} has run. The supervisor's restart reports (WARN)
 * are turned off in this benchmark's JVM, as Pekko's restart logging is in its peer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OtpjSupervisor {

    static final Name CHILD = Name.local("bench-supervised-echo");

    Pid supervisor;

    @Setup(Level.Trial)
    public void setUp() {
        // One-for-one, and an intensity no benchmark reaches: every crash is restarted.
        SupervisorFlags flags = SupervisorFlags.oneForOne().withIntensity(Integer.MAX_VALUE, Duration.ofSeconds(1));
        supervisor = Supervisor.start(flags,
                List.of(ChildSpec.worker("echo", () -> GenServer.startLink(new Echo(), null, CHILD)))).pid();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Supervisor.stop(supervisor);
    }

    @Benchmark
    public Object crashToReplacementAnswers() {
        Pid child = GenServer.whereis(CHILD).orElseThrow();
        Proc.exit(child, ExitReason.kill());
        Optional<Pid> replacement;
        while ((replacement = GenServer.whereis(CHILD)).isEmpty() || replacement.get().equals(child)) {
            Thread.yield();
        }
        return GenServer.call(CHILD, Ping.PING);
    }
}
