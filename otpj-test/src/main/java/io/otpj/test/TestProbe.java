package io.otpj.test;

import io.otpj.core.Down;
import io.otpj.core.Exit;
import io.otpj.core.ExitReason;
import io.otpj.core.MonitorRef;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A process a test talks through: it receives messages (send them to {@link #pid()}), links to
 * and monitors other processes on request, traps exits, and lets the test thread expect what it
 * received, ExUnit's {@code assert_receive} / {@code refute_receive} in Java.
 * {@snippet :
 * TestProbe probe = TestProbe.start();
 * probe.monitor(server);
 * Proc.exit(server, ExitReason.kill());
 * probe.expectDown(server);                       // assert_receive {:DOWN, _, :process, ^server, _}
 * probe.expectNoMessage(Duration.ofMillis(50));   // refute_receive _, 50
 * }
 *
 * <p>Expectations are selective, as ExUnit's: {@code expectMessage} takes the first received
 * message, in arrival order, that matches, and leaves the others for later expectations. Each
 * waits at most its timeout ({@link #DEFAULT_TIMEOUT} unless given) and fails with an
 * {@link AssertionError} that lists every message the probe holds. Messages from one sender are
 * seen in the order sent.
 *
 * <p>The probe traps exits from the moment {@link #start} returns. Thread-safe; meant to be used
 * from one test thread. {@link #stop()} (or {@link #close()})
 * ends the probe's process; the {@link NodeExtension} fails a test whose probe is left alive.
 */
public final class TestProbe implements AutoCloseable {

    /** The timeout of expectations that do not name one: 3 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    /** A request to the probe's process: run it there. Not visible to users, so never confused with a message. */
    private record Command(Runnable action, CompletableFuture<Object> done) {}

    private final Pid pid;
    /** Messages received and not yet expected, in arrival order: guarded by {@code this}. */
    private final List<Object> held = new ArrayList<>();
    /** Every monitor the probe set, with its target: guarded by {@code this}. */
    private final List<MonitorRef> monitors = new ArrayList<>();

    /** Counted down once the probe's process traps exits: a signal sent after start() never kills it. */
    private final java.util.concurrent.CountDownLatch trapping = new java.util.concurrent.CountDownLatch(1);

    private TestProbe(Node node) {
        this.pid = node.spawn(this::loop);
        boolean interrupted = false;
        for (;;) {
            try {
                if (!trapping.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new AssertionError("the probe's process " + pid + " did not start within 30 s");
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts a probe in the {@linkplain Node#current() current node}.
     *
     * @return the probe
     * @throws IllegalStateException if that node is stopped
     */
    public static TestProbe start() {
        return new TestProbe(Node.current());
    }

    /**
     * Starts a probe in {@code node}.
     *
     * @param node the node its process belongs to
     * @return the probe
     */
    public static TestProbe start(Node node) {
        return new TestProbe(Objects.requireNonNull(node, "node"));
    }

    private void loop() {
        Proc.trapExit(true);
        trapping.countDown();
        for (;;) {
            Object m = Proc.receive();
            if (m instanceof Command c) {
                try {
                    c.action.run();
                    c.done.complete(null);
                } catch (Throwable t) {
                    // The caller hears of any failure; an Error (the probe being killed) still ends it.
                    c.done.completeExceptionally(t);
                    if (t instanceof Error err) {
                        throw err;
                    }
                }
                continue;
            }
            synchronized (this) {
                held.add(m);
                notifyAll();
            }
        }
    }

    /**
     * The probe's process.
     *
     * @return its pid: send to it, link to it, pass it to the code under test as a reply-to
     */
    public Pid pid() {
        return pid;
    }

    private void command(Runnable action) {
        if (!pid.isAlive()) {
            throw new IllegalStateException("the probe " + pid + " is dead: it runs no more commands");
        }
        CompletableFuture<Object> done = new CompletableFuture<>();
        Proc.send(pid, new Command(action, done));
        try {
            done.get(DEFAULT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the probe " + pid + " did not answer within " + DEFAULT_TIMEOUT
                    + (pid.isAlive() ? "" : ": it is dead"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the probe ran a command", e);
        }
    }

    /**
     * Makes the probe monitor {@code target}; its DOWN is then what {@link #expectDown} expects.
     *
     * @param target the process to monitor
     * @return the monitor
     */
    public MonitorRef monitor(Pid target) {
        Objects.requireNonNull(target, "target");
        CompletableFuture<MonitorRef> ref = new CompletableFuture<>();
        command(() -> ref.complete(Proc.monitor(target)));
        MonitorRef r = ref.join();
        synchronized (this) {
            monitors.add(r);
        }
        return r;
    }

    /**
     * Links the probe to {@code target}. The probe traps exits, so the link's exit signal becomes
     * an {@link Exit} message that {@link #expectExit} expects.
     *
     * @param target the process to link to
     */
    public void link(Pid target) {
        Objects.requireNonNull(target, "target");
        command(() -> Proc.link(target));
    }

    /**
     * Expects a message that is an instance of {@code type}, within {@link #DEFAULT_TIMEOUT}.
     *
     * @param <T> the type
     * @param type the class the message must be an instance of
     * @return the message, taken from the probe
     * @throws AssertionError if none arrives in time, listing what the probe holds
     */
    public <T> T expectMessage(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return type.cast(expectMessage(type::isInstance, DEFAULT_TIMEOUT, "a " + type.getName()));
    }

    /**
     * Expects a message equal to {@code expected}, within {@link #DEFAULT_TIMEOUT}.
     *
     * @param expected the message
     * @return the message, taken from the probe
     * @throws AssertionError if none arrives in time, listing what the probe holds
     */
    public Object expectMessageEquals(Object expected) {
        Objects.requireNonNull(expected, "expected");
        return expectMessage(expected::equals, DEFAULT_TIMEOUT, expected.toString());
    }

    /**
     * Expects a message that {@code match} accepts.
     *
     * @param match the test; run on the calling thread
     * @param timeout how long to wait
     * @return the first held message it accepts, taken from the probe
     * @throws AssertionError if none arrives in time, listing what the probe holds
     */
    public Object expectMessage(Predicate<Object> match, Duration timeout) {
        return expectMessage(match, timeout, "a message matching " + match);
    }

    private Object expectMessage(Predicate<Object> match, Duration timeout, String what) {
        Objects.requireNonNull(match, "match");
        long end = System.nanoTime() + Objects.requireNonNull(timeout, "timeout").toNanos();
        synchronized (this) {
            for (;;) {
                for (Iterator<Object> it = held.iterator(); it.hasNext();) {
                    Object m = it.next();
                    if (match.test(m)) {
                        it.remove();
                        return m;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + what + " within " + timeout + "; the probe " + pid
                            + " holds " + held + (pid.isAlive() ? "" : " and is dead"));
                }
                waitNanos(left);
            }
        }
    }

    /**
     * Expects no message to arrive for {@code duration} (ExUnit's {@code refute_receive}).
     *
     * @param duration how long to watch
     * @throws AssertionError if the probe holds a message, or one arrives, within it
     */
    public void expectNoMessage(Duration duration) {
        long end = System.nanoTime() + Objects.requireNonNull(duration, "duration").toNanos();
        synchronized (this) {
            for (;;) {
                if (!held.isEmpty()) {
                    throw new AssertionError("expected no message for " + duration + "; the probe " + pid + " holds " + held);
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                waitNanos(left);
            }
        }
    }

    /**
     * Expects the DOWN of a process the probe {@linkplain #monitor monitors}.
     *
     * @param target the monitored process
     * @return the DOWN, with its reason
     * @throws IllegalStateException if the probe does not monitor {@code target}
     * @throws AssertionError if it does not come within {@link #DEFAULT_TIMEOUT}
     */
    public Down expectDown(Pid target) {
        Objects.requireNonNull(target, "target");
        synchronized (this) {
            if (monitors.stream().noneMatch(m -> m.target().equals(target))
                    && held.stream().noneMatch(m -> m instanceof Down d && d.pid().equals(target))) {
                throw new IllegalStateException("the probe " + pid + " does not monitor " + target + ": call monitor first");
            }
        }
        return (Down) expectMessage(m -> m instanceof Down d && d.pid().equals(target), DEFAULT_TIMEOUT,
                "the DOWN of " + target);
    }

    /**
     * Expects the exit signal of a {@linkplain #link linked} process, with its reason.
     *
     * @param from the process whose exit is expected
     * @param reason the reason it must carry
     * @return the exit message
     * @throws AssertionError if it does not come within {@link #DEFAULT_TIMEOUT}
     */
    public Exit expectExit(Pid from, ExitReason reason) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(reason, "reason");
        return (Exit) expectMessage(m -> m instanceof Exit e && e.from().equals(from) && e.reason().equals(reason),
                DEFAULT_TIMEOUT, "Exit(" + from + ", " + reason + ")");
    }

    /**
     * The messages the probe holds now, oldest first (a snapshot; nothing is taken).
     *
     * @return them
     */
    public synchronized List<Object> held() {
        return List.copyOf(held);
    }

    private void waitNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(this, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while expecting a message", e);
        }
    }

    /**
     * Ends the probe's process: it is killed, so processes linked to it get the exit signal
     * {@code killed} (and die with it unless they trap exits). Idempotent.
     */
    public void stop() {
        Proc.exit(pid, ExitReason.kill());
    }

    /** The same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }
}
