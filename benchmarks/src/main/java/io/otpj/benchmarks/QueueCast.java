package io.otpj.benchmarks;

import static io.otpj.benchmarks.Batches.CASTS;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.Queue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.jctools.queues.atomic.unpadded.MpscUnboundedAtomicUnpaddedArrayQueue;
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
 * The limits of a one-way hand-off with no framework: one producer thread, one consumer thread,
 * one queue. Measured like {@link OtpjCast#oneProducer}: a batch of messages, then a latch the
 * consumer counts down when it reaches it.
 *
 * <ul>
 *   <li>{@code jctools}: JCTools' {@code MpscUnboundedAtomicArrayQueue} (the field-updater
 *       variant, no {@code sun.misc.Unsafe}), chunk 1024. Its consumer never parks: it spins and
 *       yields while the queue is empty, so no wake-up is ever paid. That is the ceiling a queue
 *       hand-off reaches, bought with a core kept busy.</li>
 *   <li>{@code jctoolsUnpadded}: the same with the queue otpj's mailbox is built on,
 *       {@code MpscUnboundedAtomicUnpaddedArrayQueue} with chunk 32: no padding between the
 *       producer and consumer indexes, so it shows what that layout costs a busy hand-off.</li>
 *   <li>{@code linkedBlockingQueue}: the JDK's {@code LinkedBlockingQueue}, consumer in
 *       {@code take()}, producer in {@code put()}: locks and condition-variable wake-ups.</li>
 * </ul>
 *
 * Each benchmark has its own state, so only its own consumer thread exists in its fork.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class QueueCast {

    static final Object INC = new Object();
    static final Object STOP = new Object();

    /** A JCTools MPSC queue and its spinning consumer thread. */
    @State(Scope.Benchmark)
    public static class Mpsc {
        final Queue<Object> queue;
        Thread consumer;

        public Mpsc() {
            this(new MpscUnboundedAtomicArrayQueue<>(1024));
        }

        Mpsc(Queue<Object> queue) {
            this.queue = queue;
        }
        /** Written by the consumer when it stops: the count is used, so the counting is real work. */
        volatile long count;

        @Setup(Level.Trial)
        public void setUp() {
            consumer = Thread.ofPlatform().daemon().name("mpsc-consumer").start(this::consume);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            queue.offer(STOP);
            consumer.join();
        }

        private void consume() {
            long n = 0;
            int idle = 0;
            for (;;) {
                Object m = queue.poll();
                if (m == null) {
                    if ((++idle & 63) == 0) {
                        Thread.yield();
                    } else {
                        Thread.onSpinWait();
                    }
                    continue;
                }
                idle = 0;
                if (m == INC) {
                    n++;
                } else if (m instanceof CountDownLatch l) {
                    l.countDown();
                } else {
                    count = n;
                    return;
                }
            }
        }
    }

    /** The unpadded JCTools queue otpj's mailbox uses, chunk 32, and its spinning consumer thread. */
    @State(Scope.Benchmark)
    public static class MpscUnpadded extends Mpsc {
        public MpscUnpadded() {
            super(new MpscUnboundedAtomicUnpaddedArrayQueue<>(32));
        }
    }

    /** A {@code LinkedBlockingQueue} and its consumer thread blocked in {@code take()}. */
    @State(Scope.Benchmark)
    public static class Lbq {
        final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        Thread consumer;
        volatile long count;

        @Setup(Level.Trial)
        public void setUp() {
            consumer = Thread.ofPlatform().daemon().name("lbq-consumer").start(this::consume);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            queue.put(STOP);
            consumer.join();
        }

        private void consume() {
            long n = 0;
            try {
                for (;;) {
                    Object m = queue.take();
                    if (m == INC) {
                        n++;
                    } else if (m instanceof CountDownLatch l) {
                        l.countDown();
                    } else {
                        count = n;
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(CASTS)
    public void jctools(Mpsc s) throws InterruptedException {
        for (int i = 0; i < CASTS; i++) {
            s.queue.offer(INC);
        }
        CountDownLatch done = new CountDownLatch(1);
        s.queue.offer(done);
        Batches.await(done);
    }

    @Benchmark
    @OperationsPerInvocation(CASTS)
    public void jctoolsUnpadded(MpscUnpadded s) throws InterruptedException {
        jctools(s);
    }

    @Benchmark
    @OperationsPerInvocation(CASTS)
    public void linkedBlockingQueue(Lbq s) throws InterruptedException {
        for (int i = 0; i < CASTS; i++) {
            s.queue.put(INC);
        }
        CountDownLatch done = new CountDownLatch(1);
        s.queue.put(done);
        Batches.await(done);
    }
}
