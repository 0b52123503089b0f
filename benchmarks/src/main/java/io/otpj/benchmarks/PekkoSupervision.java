package io.otpj.benchmarks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
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
 * The Pekko peer of {@link OtpjSupervisor}: an actor under {@code Behaviors.supervise(...)
 * .onFailure(restart)} is told to fail, then probed; the probe is handled by the restarted
 * instance (Pekko restarts in place, keeping the mailbox). The failure is a preallocated
 * exception without a stack trace and restart logging is off: Pekko's cheapest failure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PekkoSupervision {

    sealed interface Msg {}

    enum Fail implements Msg { FAIL }

    record Probe(CountDownLatch answered) implements Msg {}

    static final RuntimeException FAILURE = new RuntimeException("benchmark failure", null, false, false) {};

    static final class Worker extends AbstractBehavior<Msg> {
        static Behavior<Msg> create() {
            return Behaviors.supervise(Behaviors.setup(Worker::new))
                    .onFailure(RuntimeException.class, SupervisorStrategy.restart().withLoggingEnabled(false));
        }

        private Worker(ActorContext<Msg> context) {
            super(context);
        }

        @Override
        public Receive<Msg> createReceive() {
            return newReceiveBuilder()
                    .onMessageEquals(Fail.FAIL, () -> {
                        throw FAILURE;
                    })
                    .onMessage(Probe.class, p -> {
                        p.answered().countDown();
                        return this;
                    })
                    .build();
        }
    }

    ActorSystem<SpawnProtocol.Command> system;
    ActorRef<Msg> worker;

    @Setup(Level.Trial)
    public void setUp() {
        system = PekkoActors.system("supervision");
        worker = PekkoActors.spawn(system, Worker.create(), "worker");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        PekkoActors.terminate(system);
    }

    @Benchmark
    public void failToRestartedAnswers() throws InterruptedException {
        CountDownLatch answered = new CountDownLatch(1);
        worker.tell(Fail.FAIL);
        worker.tell(new Probe(answered));
        Batches.await(answered);
    }
}
