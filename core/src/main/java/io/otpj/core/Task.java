package io.otpj.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * A computation in a process of its own whose result its owner collects: Elixir's
 * {@code Task.async} / {@code Task.await}.
 * {@snippet :
 * Task<Money> total = Task.async(() -> ledger.sum(accountId));   // task = Task.async(fn -> ... end)
 * Money fees = feesOf(accountId);                               // meanwhile, in the caller
 * Money sum = total.await(Duration.ofSeconds(5));               // Task.await(task, 5_000)
 * }
 *
 * <h2>Guarantees, as in Elixir</h2>
 * <ul>
 *   <li>The task is <em>linked</em> to its owner (the process that called {@link #async}) and
 *       monitored by it: if the task crashes, the owner gets the exit signal (and dies with it,
 *       unless it traps exits); if the owner dies, the task dies with it.</li>
 *   <li>Only the owner may {@link #await}, {@link #yield} or {@link #shutdown} a task
 *       ({@link IllegalStateException} otherwise), and the reply is received once.</li>
 *   <li>{@link #await} waits at most its timeout. On timeout the task is killed (Elixir exits the
 *       caller, which takes the linked task with it; here the caller gets
 *       {@link CallTimeoutException} and goes on). If the task exited without a result (the owner
 *       traps exits, or the task was killed), {@link ServerExitedException} with its reason.</li>
 *   <li>{@link #yield} waits at most its timeout and leaves the task running when it has no
 *       result yet; {@link #shutdown} unlinks and stops the task, returning its result if it had
 *       one by then.</li>
 * </ul>
 *
 * <p>How this relates to JDK 25's {@code StructuredTaskScope}: a scope forks threads that share
 * the scope's lifetime and joins them all; a {@code Task} is a process, with the OTP failure
 * semantics above (links, exit reasons, supervision by its owner's tree), and is collected one by
 * one. Use a scope for fan-out inside one process that must not outlive it; use tasks when the
 * work should fail like a process. Code inside a task may use a scope; its forks are plain
 * threads, not processes.
 *
 * @param <T> the type of the result
 */
public final class Task<T> {

    /** A task's result: from the task's pid, which is never reused, so it cannot be mistaken. */
    private record Result(Pid from, Object value) {}

    private final Pid pid;
    private final MonitorRef ref;
    private final Pcb owner;
    /** Owner only: whether its result or DOWN has been taken. */
    private boolean done;

    private Task(Pid pid, MonitorRef ref, Pcb owner) {
        this.pid = pid;
        this.ref = ref;
        this.owner = owner;
    }

    /**
     * Starts {@code fn} in a new process linked to and monitored by the calling process.
     *
     * @param <T> the result type
     * @param fn the computation; what it throws crashes the task (reported like any crash)
     * @return the task, to await
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static <T> Task<T> async(Callable<? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        Pcb self = Proc.requireSelf();
        Pid owner = self.pid;
        Pid pid = Proc.spawnLink(() -> Proc.send(owner, new Result(Proc.self(), run(fn))));
        MonitorRef r = Proc.monitor(pid);
        return new Task<>(pid, r, self);
    }

    /** Sent by the owner once it monitors (and, for a linked task, links) a started task. */
    private record Go(Pid owner) {}

    /**
     * Starts {@code fn} as a task of the calling process in a process that {@code starter}
     * starts: the hook a task supervisor uses (Elixir's {@code Task.Supervisor.async} and
     * {@code async_nolink}; in the supervisor module, {@code TaskSupervisor}). {@code starter}
     * gets the task's body and must start a process that runs it (e.g. as a temporary child of a
     * supervisor) and return its pid, on the calling thread.
     *
     * <p>As in Elixir, the body first waits until its owner monitors it (and, with {@code link},
     * has linked to it), so that whatever the task does, even dying at once, reaches its owner
     * with its real reason. If the owner dies before that, the body ends without running
     * {@code fn}. Afterwards the task behaves as one from {@link #async}, except that an unlinked
     * task ({@code link} false) does not take its owner down with it nor die with its owner: the
     * owner learns of a crash through {@link #await} ({@link ServerExitedException} with the
     * reason) or {@link #yield}.
     *
     * @param <T> the result type
     * @param starter starts the process that runs the given body; what it throws is thrown here
     * @param link whether the task is linked to the caller ({@code async}) or not
     *     ({@code async_nolink})
     * @param fn the computation; what it throws crashes the task
     * @return the task, to await
     * @throws IllegalStateException if the calling thread is not a process
     * @throws NullPointerException if {@code starter} or {@code fn} is null, or {@code starter}
     *     returns null
     */
    public static <T> Task<T> asyncStartedBy(Function<Runnable, Pid> starter, boolean link, Callable<? extends T> fn) {
        Objects.requireNonNull(starter, "starter");
        Objects.requireNonNull(fn, "fn");
        Pcb self = Proc.requireSelf();
        Pid owner = self.pid;
        Runnable body = () -> {
            MonitorRef watch = Proc.monitor(owner);
            Object first = Proc.receive(m -> m instanceof Go g && g.owner().equals(owner)
                    || m instanceof Down d && d.ref() == watch, Proc.INFINITY).orElseThrow();
            if (first instanceof Down) {
                return; // its owner is gone before it could watch the task: nobody to run it for
            }
            Proc.demonitor(watch, true);
            Proc.send(owner, new Result(Proc.self(), run(fn)));
        };
        Pid pid = Objects.requireNonNull(starter.apply(body), "starter returned null instead of the task's pid");
        if (link) {
            Proc.link(pid);
        }
        MonitorRef r = Proc.monitor(pid);
        Proc.send(pid, new Go(owner));
        return new Task<>(pid, r, self);
    }

    private static Object run(Callable<?> fn) {
        try {
            return fn.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new TaskFailedException(e);
        }
    }

    /** Wraps a checked exception thrown by a task's function: the task's crash reason. */
    static final class TaskFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TaskFailedException(Exception cause) {
            super(cause.toString(), cause);
        }
    }

    /**
     * The task's process.
     *
     * @return its pid
     */
    public Pid pid() {
        return pid;
    }

    private void requireOwner(String what) {
        if (Pcb.current() != owner) {
            throw new IllegalStateException(what + " of task " + pid + " from " + (Pcb.current() == null ? "a plain thread"
                    : Pcb.current().pid) + ": only its owner " + owner.pid + " may");
        }
        if (done) {
            throw new IllegalStateException("task " + pid + " was already awaited or shut down");
        }
    }

    /**
     * Waits for the result ({@code Task.await}).
     *
     * @param timeout how long to wait; {@link Proc#INFINITY} waits forever
     * @return what the task's function returned
     * @throws CallTimeoutException no result in time: the task is killed
     * @throws ServerExitedException the task exited without a result, with its reason
     * @throws IllegalStateException not the owner, or awaited before
     */
    @SuppressWarnings("unchecked")
    public T await(Duration timeout) {
        requireOwner("await");
        Optional<Object> m = Proc.receive(this::ours, timeout);
        if (m.isEmpty()) {
            kill();
            throw new CallTimeoutException("task " + pid + " gave no result within " + timeout, Reasons.TIMEOUT, pid);
        }
        done = true;
        return switch (m.get()) {
            case Result r -> {
                Proc.demonitor(ref, true);
                yield (T) r.value();
            }
            case Down d -> throw new ServerExitedException("task " + pid + " exited with " + d.reason() + " before its result",
                    d.reason(), pid);
            default -> throw new IllegalStateException("unexpected " + m.get());
        };
    }

    /**
     * Waits for each task's result in turn, all within one timeout ({@code Task.await_many}).
     *
     * @param <T> the result type
     * @param tasks the tasks, all owned by the caller
     * @param timeout the time for all of them
     * @return their results, in the tasks' order
     * @throws CallTimeoutException when the time is up: every task not yet done is killed
     * @throws ServerExitedException a task exited without a result (the others are killed)
     */
    public static <T> List<T> awaitMany(List<Task<T>> tasks, Duration timeout) {
        Objects.requireNonNull(tasks, "tasks");
        long nanos = Proc.toNanos(timeout, "timeout");
        long end = nanos < 0 ? Long.MAX_VALUE : System.nanoTime() + nanos;
        List<T> out = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            Task<T> t = tasks.get(i);
            try {
                Duration left = end == Long.MAX_VALUE ? Proc.INFINITY : Duration.ofNanos(Math.max(0L, end - System.nanoTime()));
                out.add(t.await(left));
            } catch (CallException e) {
                for (int j = i + 1; j < tasks.size(); j++) {
                    tasks.get(j).kill();
                }
                throw e;
            }
        }
        return out;
    }

    /**
     * Waits at most {@code timeout} for the result and leaves the task running if there is none
     * yet ({@code Task.yield}).
     *
     * @param timeout how long to wait
     * @return the result, or empty if the task has not finished
     * @throws ServerExitedException the task exited without a result
     * @throws IllegalStateException not the owner, or awaited before
     */
    @SuppressWarnings("unchecked")
    public Optional<T> yield(Duration timeout) {
        requireOwner("yield");
        Optional<Object> m = Proc.receive(this::ours, timeout);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        done = true;
        if (m.get() instanceof Result r) {
            Proc.demonitor(ref, true);
            return Optional.ofNullable((T) r.value());
        }
        Down d = (Down) m.get();
        throw new ServerExitedException("task " + pid + " exited with " + d.reason(), d.reason(), pid);
    }

    /**
     * Stops the task ({@code Task.shutdown}): unlinks, sends it {@code shutdown}, waits at most
     * {@code timeout} for it to exit (then kills it), and returns its result if it had sent one.
     *
     * @param timeout how long it may take to stop
     * @return its result, if it finished before it was stopped
     * @throws IllegalStateException not the owner, or awaited before
     */
    @SuppressWarnings("unchecked")
    public Optional<T> shutdown(Duration timeout) {
        requireOwner("shutdown");
        done = true;
        Proc.unlink(pid);
        Proc.exit(pid, Reasons.SHUTDOWN);
        Optional<Object> down = Proc.receive(m -> m instanceof Down d && d.ref() == ref, timeout);
        if (down.isEmpty()) {
            Proc.exit(pid, Reasons.KILL);
            Proc.receive(m -> m instanceof Down d && d.ref() == ref, Proc.INFINITY);
        }
        Optional<Object> result = Proc.receive(m -> m instanceof Result r && r.from().equals(pid), Duration.ZERO);
        return result.map(r -> (T) ((Result) r).value());
    }

    private boolean ours(Object m) {
        return (m instanceof Result r && r.from().equals(pid)) || (m instanceof Down d && d.ref() == ref);
    }

    private void kill() {
        done = true;
        Proc.unlink(pid);
        Proc.exit(pid, Reasons.KILL);
        Proc.demonitor(ref, true);
        Proc.receive(m -> m instanceof Result r && r.from().equals(pid), Duration.ZERO); // drop a late result
    }

    // ------------------------------------------------------------------ async_stream

    /**
     * What one element of {@link #asyncStream} gave: Elixir's {@code {:ok, value}} or
     * {@code {:exit, reason}}.
     *
     * @param <O> the result type
     */
    public sealed interface Outcome<O> {
        /**
         * The function returned.
         *
         * @param <O> the result type
         * @param value what it returned
         */
        record Ok<O>(O value) implements Outcome<O> {}

        /**
         * The task exited without a result: killed at its timeout ({@code timeout}), or, for an
         * owner that traps exits, crashed.
         *
         * @param <O> the result type
         * @param reason why
         */
        record Exited<O>(ExitReason reason) implements Outcome<O> {}
    }

    /**
     * Options of {@link #asyncStream}, Elixir's {@code max_concurrency}, {@code ordered},
     * {@code timeout} and {@code on_timeout}.
     *
     * @param maxConcurrency how many tasks run at once, at least 1
     * @param ordered whether results come in the inputs' order (else as they complete)
     * @param timeout how long each task may take, from its start
     * @param killOnTimeout {@code on_timeout: :kill_task}: a task past its timeout is killed and
     *     gives {@code Exited(timeout)}; otherwise ({@code :exit}) the whole stream fails with
     *     {@link CallTimeoutException} and the running tasks are killed
     */
    public record StreamOptions(int maxConcurrency, boolean ordered, Duration timeout, boolean killOnTimeout) {
        /**
         * Checks the options.
         *
         * @throws IllegalArgumentException for a concurrency below 1 or a timeout that is not positive
         */
        public StreamOptions {
            if (maxConcurrency < 1) {
                throw new IllegalArgumentException("maxConcurrency must be at least 1, got " + maxConcurrency);
            }
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
        }

        /**
         * Elixir's defaults: as many tasks as processors, ordered, 5 s each, exit on timeout.
         *
         * @return the defaults
         */
        public static StreamOptions defaults() {
            return new StreamOptions(Runtime.getRuntime().availableProcessors(), true, Duration.ofSeconds(5), false);
        }

        /**
         * With another concurrency.
         *
         * @param n tasks at once
         * @return the new options
         */
        public StreamOptions withMaxConcurrency(int n) {
            return new StreamOptions(n, ordered, timeout, killOnTimeout);
        }

        /**
         * Ordered or not.
         *
         * @param on whether results keep the inputs' order
         * @return the new options
         */
        public StreamOptions withOrdered(boolean on) {
            return new StreamOptions(maxConcurrency, on, timeout, killOnTimeout);
        }

        /**
         * With another per-task timeout.
         *
         * @param t the timeout
         * @return the new options
         */
        public StreamOptions withTimeout(Duration t) {
            return new StreamOptions(maxConcurrency, ordered, t, killOnTimeout);
        }

        /**
         * Kill a task past its timeout instead of failing the stream.
         *
         * @param on {@code on_timeout: :kill_task} when true
         * @return the new options
         */
        public StreamOptions withKillOnTimeout(boolean on) {
            return new StreamOptions(maxConcurrency, ordered, timeout, on);
        }
    }

    /**
     * Runs {@code fn} on each input in tasks of the calling process, at most
     * {@code maxConcurrency} at once, and returns every outcome ({@code Task.async_stream},
     * collected). Tasks are linked as by {@link #async}: a crash takes the caller down unless it
     * traps exits (then that element is {@code Exited} with the crash).
     *
     * @param <I> the input type
     * @param <O> the result type
     * @param inputs the inputs
     * @param fn the function, run in a task per input
     * @param options concurrency, order, timeout
     * @return one outcome per input, in the inputs' order if {@code ordered}, else as completed
     * @throws CallTimeoutException a task passed its timeout and {@code killOnTimeout} is off
     * @throws IllegalStateException if the calling thread is not a process
     */
    public static <I, O> List<Outcome<O>> asyncStream(java.util.Collection<? extends I> inputs,
            java.util.function.Function<? super I, ? extends O> fn, StreamOptions options) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(options, "options");
        Proc.requireSelf();
        List<I> in = List.copyOf(inputs);
        int n = in.size();
        List<Outcome<O>> byIndex = new ArrayList<>(java.util.Collections.nCopies(n, (Outcome<O>) null));
        List<Outcome<O>> completed = new ArrayList<>(n);
        java.util.Map<Pid, Integer> index = new java.util.HashMap<>();
        java.util.Map<Pid, Task<O>> running = new java.util.HashMap<>();
        java.util.Map<Pid, Long> deadlines = new java.util.HashMap<>();
        long timeoutNanos = Proc.toNanos(options.timeout(), "timeout");
        int next = 0;
        while (next < n || !running.isEmpty()) {
            while (next < n && running.size() < options.maxConcurrency()) {
                I x = in.get(next);
                Task<O> t = async(() -> fn.apply(x));
                index.put(t.pid, next);
                running.put(t.pid, t);
                deadlines.put(t.pid, timeoutNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos);
                next++;
            }
            long earliest = deadlines.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
            Duration wait = earliest == Long.MAX_VALUE ? Proc.INFINITY : Duration.ofNanos(Math.max(0L, earliest - System.nanoTime()));
            Optional<Object> m = Proc.receive(x -> (x instanceof Result r && running.containsKey(r.from()))
                    || (x instanceof Down d && running.containsKey(d.pid()) && d.ref() == running.get(d.pid()).ref), wait);
            Pid done;
            Outcome<O> outcome;
            if (m.isEmpty()) {
                long now = System.nanoTime();
                done = deadlines.entrySet().stream().filter(e -> e.getValue() - now <= 0).map(java.util.Map.Entry::getKey)
                        .findFirst().orElse(null);
                if (done == null) {
                    continue;
                }
                Task<O> late = running.get(done);
                if (!options.killOnTimeout()) {
                    for (Task<O> t : running.values()) {
                        t.kill();
                    }
                    throw new CallTimeoutException("async_stream: task " + done + " gave no result within " + options.timeout(),
                            Reasons.TIMEOUT, done);
                }
                late.kill();
                outcome = new Outcome.Exited<>(Reasons.TIMEOUT);
            } else if (m.get() instanceof Result r) {
                done = r.from();
                Task<O> t = running.get(done);
                t.done = true;
                Proc.demonitor(t.ref, true);
                @SuppressWarnings("unchecked")
                O v = (O) r.value();
                outcome = new Outcome.Ok<>(v);
            } else {
                Down d = (Down) m.get();
                done = d.pid();
                running.get(done).done = true;
                outcome = new Outcome.Exited<>(d.reason());
            }
            running.remove(done);
            deadlines.remove(done);
            int i = index.remove(done);
            byIndex.set(i, outcome);
            completed.add(outcome);
        }
        return options.ordered() ? List.copyOf(byIndex) : List.copyOf(completed);
    }

    @Override
    public String toString() {
        return "Task[" + pid + "]";
    }
}
