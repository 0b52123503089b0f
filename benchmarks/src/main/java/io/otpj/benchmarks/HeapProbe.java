package io.otpj.benchmarks;

import io.otpj.benchmarks.OtpjServers.Batch;
import io.otpj.benchmarks.PekkoActors.Parent;
import io.otpj.benchmarks.PekkoActors.ParentMsg;
import io.otpj.benchmarks.PekkoActors.SpawnChildren;
import io.otpj.benchmarks.PekkoActors.StopParent;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SpawnProtocol;

/**
 * Heap cost of idle processes (not JMH: one measurement per fresh JVM, launched by {@link Suite}).
 *
 * <p>Method: warm up ({@value #WARM_ROUNDS} rounds of starting and stopping up to {@value #WARM_SIZE}, so classes are
 * loaded and the code compiled);
 * allocate the array that will hold the pids; {@code System.gc()} twice and read the used heap
 * from {@link MemoryMXBean}; start {@code n} idle servers (from {@value OtpjSpawn#STARTERS}
 * starter processes at once) or actors (spawned by one parent), timing it; wait until the JVM goes
 * quiet ({@link Quiet}: the new processes have settled into their wait), noting the CPU time the
 * start and the settling took; {@code System.gc()} twice and read the used heap again. The difference, over
 * {@code n}, is the heap one idle process keeps alive: its control block, mailbox, GenServer loop
 * and the stack of its parked virtual thread (a heap object). Native memory is not counted.
 *
 * <p>Usage: {@code HeapProbe otpj|otpj-hibernated|pekko N}. {@code otpj-hibernated} starts servers
 * whose init returns {@code hibernate}: they wait for their first message with no thread (no
 * stack, no {@code VirtualThread}), as any hibernated server does. Prints one line
 * {@code probe key=value ...}.
 */
public final class HeapProbe {

    private HeapProbe() {}

    /**
     * Warm-up: this many rounds of starting and stopping {@link #WARM_SIZE} processes (or
     * actors), so that what is measured is the steady state of a long-running JVM: the start
     * path compiled, and the parked stacks of the idle processes made of compiled frames, which
     * are smaller than interpreted ones (measured: 432 against 567 bytes of stack per idle
     * GenServer after one round of 20k).
     */
    static final int WARM_ROUNDS = 3, WARM_SIZE = 100_000;

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !List.of("otpj", "otpj-hibernated", "pekko").contains(args[0])) {
            System.err.println("usage: HeapProbe otpj|otpj-hibernated|pekko N");
            System.exit(2);
        }
        int n = Integer.parseInt(args[1]);
        if (n <= 0) {
            throw new IllegalArgumentException("N must be positive, got " + n);
        }
        long[] r = switch (args[0]) {
            case "otpj" -> otpj(n, false);
            case "otpj-hibernated" -> otpj(n, true);
            default -> pekko(n);
        };
        long before = r[0], after = r[1], nanos = r[2], settle = r[3], cpu = r[4];
        System.out.printf(Locale.ROOT, "probe kind=%s n=%d heapBefore=%d heapAfter=%d bytesPerProcess=%.1f spawnNanos=%d rate=%.1f"
                        + " settleNanos=%d cpuNanosPerProcess=%.1f%n",
                args[0], n, before, after, (after - before) / (double) n, nanos, n * 1e9 / nanos, settle, cpu / (double) n);
        System.exit(0);
    }

    private static long[] otpj(int n, boolean hibernated) throws Exception {
        for (int i = 0; i < WARM_ROUNDS; i++) {
            Batch warm = new Batch(Math.min(n, WARM_SIZE), hibernated);
            warm.startAllConcurrently(OtpjSpawn.STARTERS);
            warm.stopAll();
        }
        Batch batch = new Batch(n, hibernated);
        long before = usedAfterGc();
        long cpu0 = Quiet.cpuNanos();
        long t0 = System.nanoTime();
        batch.startAllConcurrently(OtpjSpawn.STARTERS);
        long nanos = System.nanoTime() - t0;
        Duration settle = Quiet.await(Duration.ofMinutes(3));
        long cpu = Quiet.cpuNanos() - cpu0;
        long after = usedAfterGc();
        hold();
        batch.stopAll();
        return new long[] {before, after, nanos, settle.toNanos(), cpu};
    }

    private static long[] pekko(int n) throws Exception {
        ActorSystem<SpawnProtocol.Command> system = PekkoActors.system("probe");
        try {
            for (int i = 0; i < WARM_ROUNDS; i++) {
                spawnAndStop(system, "warm-" + i, Math.min(n, WARM_SIZE), false);
            }
            return spawnAndStop(system, "probe", n, true);
        } finally {
            PekkoActors.terminate(system);
        }
    }

    private static long[] spawnAndStop(ActorSystem<SpawnProtocol.Command> system, String name, int n, boolean measure)
            throws Exception {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        ActorRef<ParentMsg> parent = PekkoActors.spawn(system, Parent.create(stopped), name);
        CountDownLatch started = new CountDownLatch(n);
        long before = measure ? usedAfterGc() : 0;
        long cpu0 = Quiet.cpuNanos();
        long t0 = System.nanoTime();
        parent.tell(new SpawnChildren(n, started));
        if (!started.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("actors did not start within 10 minutes");
        }
        long nanos = System.nanoTime() - t0;
        long after = 0, settle = 0, cpu = 0;
        if (measure) {
            settle = Quiet.await(Duration.ofMinutes(3)).toNanos();
            cpu = Quiet.cpuNanos() - cpu0;
            after = usedAfterGc();
            hold();
        }
        parent.tell(StopParent.STOP);
        stopped.get(10, TimeUnit.MINUTES);
        return new long[] {before, after, nanos, settle, cpu};
    }

    /**
     * With {@code -Dprobe.hold=SECONDS}, keeps the processes alive that long after measuring, so a
     * class histogram can be taken ({@code jcmd PID GC.class_histogram}).
     */
    private static void hold() throws InterruptedException {
        long seconds = Long.getLong("probe.hold", 0L);
        if (seconds > 0) {
            System.out.println("holding for " + seconds + " s: pid " + ProcessHandle.current().pid());
            Thread.sleep(seconds * 1000);
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
