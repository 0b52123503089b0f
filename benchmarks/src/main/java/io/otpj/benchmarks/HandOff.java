package io.otpj.benchmarks;

import static io.otpj.benchmarks.Batches.CALLS;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * The limits of a round trip between two threads with no framework at all: the peers that bound
 * {@link OtpjCall#processToProcess}. A "caller" thread sends a request to an "echo" thread
 * through a one-slot cell and waits for the answer in another, {@value Batches#CALLS} times per
 * invocation, measured like the process-to-process call: the JMH thread hands the caller a batch
 * and waits on a latch.
 *
 * <ul>
 *   <li>{@code spinningThreads}: two platform threads that spin for each other (parking only
 *       after 50 µs of nothing, i.e. between batches). No wake-up is ever paid inside a batch:
 *       what is left is two cache-line transfers between cores, the floor of any thread-to-thread
 *       round trip on this machine.</li>
 *   <li>{@code spinningVirtualThreads}: the same with two virtual threads, each holding a
 *       carrier while it spins: the best a thread-per-process design can do.</li>
 *   <li>{@code parkingVirtualThreads}: two virtual threads that park as soon as their cell is
 *       empty, so every hop is a park, an unpark and a trip through the JDK's virtual-thread
 *       scheduler: the cost a thread-per-process design pays when it never spins.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HandOff {

    private static final Object PING = new Object();
    private static final Object STOP = new Object();

    /**
     * A one-slot cell: one writer puts a value, one waiter takes it. Lost-wake-up argument: the
     * writer stores {@code value} and then loads {@code parked}; the waiter stores {@code parked}
     * and then loads {@code value}; all volatile, so one of the two sees the other's store.
     */
    static final class Cell {
        volatile Object value;
        volatile Thread parked;

        void put(Object v) {
            value = v;
            Thread t = parked;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        Object take(long spinNanos) {
            long since = 0L;
            for (int step = 0; ; step++) {
                Object v = value;
                if (v != null) {
                    value = null;
                    return v;
                }
                if (spinNanos > 0) {
                    if (since == 0L) {
                        since = System.nanoTime();
                    }
                    if ((step & 15) != 0 || System.nanoTime() - since < spinNanos) {
                        Thread.onSpinWait();
                        continue;
                    }
                }
                parked = Thread.currentThread();
                if (value == null) {
                    LockSupport.park(this);
                }
                parked = null;
            }
        }
    }

    /** A caller thread and an echo thread, of one kind, with one spin budget. */
    abstract static class Pair {
        final Cell batches = new Cell(), requests = new Cell(), replies = new Cell();
        private final Thread.Builder builder;
        private final long spinNanos;
        Thread caller, echo;

        Pair(Thread.Builder builder, long spinNanos) {
            this.builder = builder;
            this.spinNanos = spinNanos;
        }

        @Setup(Level.Trial)
        public void setUp() {
            echo = builder.name("handoff-echo").start(this::echo);
            caller = builder.name("handoff-caller").start(this::caller);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            batches.put(STOP);
            caller.join();
        }

        private void echo() {
            for (;;) {
                Object m = requests.take(spinNanos);
                if (m == STOP) {
                    return;
                }
                replies.put(m);
            }
        }

        private void caller() {
            for (;;) {
                Object b = batches.take(0L);
                if (b == STOP) {
                    requests.put(STOP);
                    return;
                }
                for (int i = 0; i < CALLS; i++) {
                    requests.put(PING);
                    replies.take(spinNanos);
                }
                ((CountDownLatch) b).countDown();
            }
        }

        void run() throws InterruptedException {
            CountDownLatch done = new CountDownLatch(1);
            batches.put(done);
            Batches.await(done);
        }
    }

    /** Two platform threads spinning for each other. */
    @State(Scope.Benchmark)
    public static class Spinning extends Pair {
        public Spinning() {
            super(Thread.ofPlatform().daemon(), 50_000L);
        }
    }

    /** Two virtual threads parking at once. */
    @State(Scope.Benchmark)
    public static class Parking extends Pair {
        public Parking() {
            super(Thread.ofVirtual(), 0L);
        }
    }

    /** Two virtual threads spinning for each other. */
    @State(Scope.Benchmark)
    public static class SpinningVirtual extends Pair {
        public SpinningVirtual() {
            super(Thread.ofVirtual(), 50_000L);
        }
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public void spinningVirtualThreads(SpinningVirtual s) throws InterruptedException {
        s.run();
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public void spinningThreads(Spinning s) throws InterruptedException {
        s.run();
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public void parkingVirtualThreads(Parking s) throws InterruptedException {
        s.run();
    }
}
