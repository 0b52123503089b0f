package io.otpj.benchmarks;

import static io.otpj.benchmarks.Batches.CALLS_SHARED;

import java.lang.invoke.VarHandle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * The exchange of {@link OtpjCall#concurrentCallers} (N blocking callers → one server) on bare
 * virtual threads, with three fixed wait policies: a baseline for any design in which a call
 * blocks its caller's virtual thread, not an upper bound (a policy that adapts, as otpj's does,
 * can beat a fixed one). Nothing of otpj runs here: no pid, no links, no monitors, no death watch,
 * no timeout, no fairness, no mailbox bookkeeping.
 *
 * <p>One server virtual thread takes requests from a padded JCTools MPSC queue
 * ({@code MpscUnboundedAtomicArrayQueue}, chunk 1024), polls {@value #SERVER_SPINS} more times
 * when it is empty, and then parks; each of {@code callers} caller virtual threads sends a request
 * holding its own reply cell ({@link HandOff}'s one-slot cell, one per call), wakes the server if
 * it was parked, and waits for the reply: spinning unconditionally for up to {@code spinNanos},
 * then parking. The batch is shared as in {@link OtpjCall#concurrentCallers}: {@value
 * Batches#CALLS_SHARED} calls split evenly among the callers, started by the JMH thread, which
 * waits for them on a latch.
 *
 * <p>Lost-wake-up arguments, at each park: the waiter stores its flag and then loads what it
 * waits for; the waker stores what it hands over and then loads the flag. For the reply cell all
 * four accesses are volatile (see {@link HandOff}'s cell), so their sequential consistency makes one of the two see the
 * other's store; for the server's queue, which JCTools does not document as sequentially
 * consistent (its element is stored with a lazy set), a full fence sits between the store and
 * the load on each side.
 *
 * <p>One JMH thread only ({@code @Threads(1)}): the start signals are per caller, not per
 * benchmark thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class RawCall {

    /** Polls of an empty queue before the server parks: otpj's {@code otpj.wait.vspins} default. */
    static final int SERVER_SPINS = 16;

    /** Tells the server to end. */
    private static final Object STOP = new Object();

    private static final Object PONG = new Object();

    /** The server, its callers and their start signals. */
    @State(Scope.Benchmark)
    public static class Setting {
        @Param({"4", "16"})
        int callers;

        /**
         * How long a caller spins for its reply before it parks: 0 (park at once), 2 µs, or 20 µs
         * (otpj's partner-spin budget, here without its conditions and its back-off).
         */
        @Param({"0", "2000", "20000"})
        long spinNanos;

        final MpscUnboundedAtomicArrayQueue<Object> requests = new MpscUnboundedAtomicArrayQueue<>(1024);
        final AtomicInteger serverParked = new AtomicInteger();
        Thread server;
        Thread[] threads;
        /** Per caller: its next batch's latch, set by {@link #start} and taken by {@link #startOf}, under this state's lock. */
        private CountDownLatch[] starts;
        /** Set once by {@link #tearDown}, read by the callers between batches (volatile). */
        private volatile boolean stopping;

        @Setup(Level.Trial)
        public void setUp() {
            server = Thread.ofVirtual().name("raw-server").start(this::serve);
            starts = new CountDownLatch[callers];
            threads = new Thread[callers];
            for (int i = 0; i < callers; i++) {
                int me = i;
                threads[i] = Thread.ofVirtual().name("raw-caller-" + i).start(() -> call(me));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stopping = true;
            for (Thread t : threads) {
                LockSupport.unpark(t);
                t.join();
            }
            requests.offer(STOP);
            VarHandle.fullFence(); // StoreLoad: STOP before the look at the flag
            wakeServer();
            server.join();
        }

        private void wakeServer() {
            if (serverParked.get() == 1 && serverParked.compareAndSet(1, 0)) {
                LockSupport.unpark(server);
            }
        }

        private void serve() {
            for (;;) {
                Object m = requests.poll();
                for (int i = 0; i < SERVER_SPINS && m == null; i++) {
                    Thread.onSpinWait();
                    m = requests.poll();
                }
                if (m == null) {
                    serverParked.set(1);
                    VarHandle.fullFence(); // StoreLoad: the flag before the look at the queue
                    m = requests.poll();
                    if (m == null) {
                        while (serverParked.get() == 1) {
                            LockSupport.park(this);
                        }
                        continue;
                    }
                    serverParked.set(0);
                }
                if (m == STOP) {
                    return;
                }
                ((HandOff.Cell) m).put(PONG);
            }
        }

        private void call(int me) {
            for (;;) {
                CountDownLatch b;
                while ((b = startOf(me)) == null) {
                    if (stopping) {
                        return;
                    }
                    LockSupport.park(this);
                }
                int n = CALLS_SHARED / callers;
                for (int i = 0; i < n; i++) {
                    HandOff.Cell r = new HandOff.Cell(); // the reply cell of this call
                    requests.offer(r);
                    VarHandle.fullFence(); // StoreLoad: the element before the look at the flag
                    wakeServer();
                    r.take(spinNanos);
                }
                b.countDown();
            }
        }

        private synchronized CountDownLatch startOf(int me) {
            CountDownLatch b = starts[me];
            starts[me] = null;
            return b;
        }

        private synchronized void start(CountDownLatch done) {
            for (int i = 0; i < callers; i++) {
                starts[i] = done;
            }
        }

        void run() throws InterruptedException {
            CountDownLatch done = new CountDownLatch(callers);
            start(done);
            for (Thread t : threads) {
                LockSupport.unpark(t);
            }
            Batches.await(done);
        }
    }

    /** {@code callers} caller virtual threads share {@value Batches#CALLS_SHARED} blocking calls to one server virtual thread. */
    @Benchmark
    @OperationsPerInvocation(CALLS_SHARED)
    public void concurrentCallers(Setting s) throws InterruptedException {
        s.run();
    }
}
