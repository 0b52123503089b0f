package io.otpj.benchmarks;

import static io.otpj.benchmarks.Batches.SPAWNS;

import io.otpj.benchmarks.PekkoActors.Parent;
import io.otpj.benchmarks.PekkoActors.ParentMsg;
import io.otpj.benchmarks.PekkoActors.SpawnChildren;
import io.otpj.benchmarks.PekkoActors.StopParent;
import java.util.concurrent.CompletableFuture;
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

/**
 * The Pekko peer of {@link OtpjSpawn}: a parent actor spawns {@value Batches#SPAWNS} anonymous
 * children in one message; the time runs until every child has run its setup (Pekko starts
 * children asynchronously and in parallel, where {@code GenServer.start} is synchronous).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PekkoSpawn {

    ActorSystem<SpawnProtocol.Command> system;
    int parents;
    ActorRef<ParentMsg> parent;
    CompletableFuture<Void> parentStopped;
    CountDownLatch started;

    @Setup(Level.Trial)
    public void setUp() {
        system = PekkoActors.system("spawn");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        PekkoActors.terminate(system);
    }

    @Setup(Level.Invocation)
    public void newParent() {
        parentStopped = new CompletableFuture<>();
        parent = PekkoActors.spawn(system, Parent.create(parentStopped), "parent-" + parents++);
        started = new CountDownLatch(SPAWNS);
    }

    @TearDown(Level.Invocation)
    public void stopParent() throws Exception {
        parent.tell(StopParent.STOP);
        parentStopped.get(5, TimeUnit.MINUTES);
    }

    @Benchmark
    @OperationsPerInvocation(SPAWNS)
    public void spawn() throws InterruptedException {
        parent.tell(new SpawnChildren(SPAWNS, started));
        Batches.await(started);
    }
}
