package io.otpj.supervisor;

import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.core.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Tasks started under a supervisor: Elixir's {@code Task.Supervisor}. A task supervisor is a
 * {@link DynamicSupervisor} whose children are tasks; start it in a supervision tree with
 * {@link #childSpec} and address it by pid or name.
 * {@snippet :
 * // children = [{Task.Supervisor, name: Payments.TaskSupervisor}]
 * var tasks = Name.local("payments-tasks");
 * Supervisor.startLink(flags, List.of(TaskSupervisor.childSpec("tasks", DynamicSupervisor.Options.defaults(), tasks)));
 *
 * // Task.Supervisor.async_nolink(Payments.TaskSupervisor, fn -> gateway.charge(p) end)
 * Task<Receipt> charge = TaskSupervisor.asyncNolink(tasks, () -> gateway.charge(p));
 * Optional<Receipt> r = charge.yield(Duration.ofSeconds(2));   // a crash: ServerExitedException
 *
 * // Task.Supervisor.start_child(Payments.TaskSupervisor, fn -> audit(p) end, restart: :transient)
 * TaskSupervisor.startChild(tasks, () -> audit(p), Restart.TRANSIENT);
 * }
 *
 * <h2>Guarantees, as in Elixir</h2>
 * <ul>
 *   <li>Every task is a child of the supervisor (linked to it): stopping the supervisor stops its
 *       tasks, each within its shutdown time ({@link ChildSpec#DEFAULT_WORKER_SHUTDOWN}, 5 s, as
 *       Elixir's default), and {@link #children} lists the running ones.</li>
 *   <li>{@link #async}: the task is also linked to the caller and monitored by it, as
 *       {@link Task#async}: if either dies abnormally, the other gets the exit signal.</li>
 *   <li>{@link #asyncNolink}: monitored by the caller only: a crash of the task does not reach
 *       the caller as a signal, only through {@link Task#await} ({@code ServerExitedException}
 *       with the task's reason) or {@link Task#yield}; the caller's death does not stop the task.
 *       This is how a server runs work that may fail without failing with it.</li>
 *   <li>Tasks from {@code async} and {@code asyncNolink} are {@link Restart#TEMPORARY}: never
 *       restarted (a result is for one owner, once).</li>
 *   <li>{@link #startChild}: a task nobody awaits; temporary by default, or transient/permanent,
 *       in which case the supervisor runs the function again after an abnormal exit (transient) or
 *       after any exit (permanent), within its restart intensity.</li>
 *   <li>Past {@link DynamicSupervisor.Options#maxChildren()}, {@code startChild} returns
 *       {@code Failed(MAX_CHILDREN)} and {@code async}/{@code asyncNolink} throw
 *       {@link io.otpj.core.StartException} with that result; nothing runs.</li>
 * </ul>
 * All functions may be called from any process; {@code async} and {@code asyncNolink} only from
 * a process (the task's owner). They are thread-safe: the supervisor handles one request at a time.
 */
public final class TaskSupervisor {

    private TaskSupervisor() {}

    /**
     * Starts a task supervisor linked to the calling process.
     *
     * @param opts the child limit and restart intensity ({@code extraArgs} are not used by tasks)
     * @return {@link StartResult.Ok} with its pid, or {@link StartResult.Failed}
     * @throws IllegalStateException if the caller is not a process
     * @throws NullPointerException if {@code opts} is null
     */
    public static StartResult startLink(DynamicSupervisor.Options opts) {
        return DynamicSupervisor.startLink(opts);
    }

    /**
     * Like {@link #startLink(DynamicSupervisor.Options)}, registering it under {@code name}.
     *
     * @param opts the child limit and restart intensity
     * @param name its name
     * @return {@link StartResult.Ok} with its pid, or {@code Failed(AlreadyStarted(holder))}
     * @throws IllegalStateException if the caller is not a process
     * @throws NullPointerException if an argument is null
     */
    public static StartResult startLink(DynamicSupervisor.Options opts, Name name) {
        return DynamicSupervisor.startLink(opts, name);
    }

    /**
     * Starts a task supervisor linked to nobody, from any thread.
     *
     * @param opts the child limit and restart intensity
     * @return {@link StartResult.Ok} with its pid, or {@link StartResult.Failed}
     * @throws NullPointerException if {@code opts} is null
     */
    public static StartResult start(DynamicSupervisor.Options opts) {
        return DynamicSupervisor.start(opts);
    }

    /**
     * A child spec that starts a task supervisor under {@code name} in a supervision tree (a
     * supervisor child, permanent, infinite shutdown, as Elixir's).
     *
     * @param id the spec's id
     * @param opts the child limit and restart intensity
     * @param name the name it registers
     * @return the spec
     * @throws NullPointerException if an argument is null
     */
    public static ChildSpec childSpec(Object id, DynamicSupervisor.Options opts, Name name) {
        return DynamicSupervisor.childSpec(id, opts, name);
    }

    /**
     * Runs {@code fn} in a task under {@code sup}, linked to and monitored by the caller
     * ({@code Task.Supervisor.async}).
     *
     * @param <T> the result type
     * @param sup the task supervisor
     * @param fn the computation
     * @return the task, to await by the caller
     * @throws io.otpj.core.StartException if the supervisor refused it ({@code max_children})
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     * @throws IllegalStateException if the caller is not a process
     * @throws NullPointerException if an argument is null
     */
    public static <T> Task<T> async(ServerRef sup, Callable<? extends T> fn) {
        return Task.asyncStartedBy(body -> startTemporary(sup, body), true, fn);
    }

    /**
     * Runs {@code fn} in a task under {@code sup}, monitored by the caller but not linked to it
     * ({@code Task.Supervisor.async_nolink}): its crash is an outcome the caller reads from
     * {@link Task#await} or {@link Task#yield}, not a signal that takes it down.
     *
     * @param <T> the result type
     * @param sup the task supervisor
     * @param fn the computation
     * @return the task, to await by the caller
     * @throws io.otpj.core.StartException if the supervisor refused it ({@code max_children})
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     * @throws IllegalStateException if the caller is not a process
     * @throws NullPointerException if an argument is null
     */
    public static <T> Task<T> asyncNolink(ServerRef sup, Callable<? extends T> fn) {
        return Task.asyncStartedBy(body -> startTemporary(sup, body), false, fn);
    }

    /**
     * Starts a temporary task nobody awaits ({@code Task.Supervisor.start_child}).
     *
     * @param sup the task supervisor
     * @param fn what the task runs; what it throws crashes it (logged like any crash)
     * @return {@link StartResult.Ok} with the task's pid, or {@code Failed(MAX_CHILDREN)}
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     * @throws NullPointerException if an argument is null
     */
    public static StartResult startChild(ServerRef sup, Runnable fn) {
        return startChild(sup, fn, Restart.TEMPORARY);
    }

    /**
     * Starts a task nobody awaits, with a restart policy ({@code start_child(sup, fn, restart: r)}):
     * a transient task runs {@code fn} again after an abnormal exit, a permanent one after any.
     *
     * @param sup the task supervisor
     * @param fn what the task runs, each time it is (re)started
     * @param restart when the supervisor runs it again
     * @return {@link StartResult.Ok} with the task's first pid, or {@code Failed(MAX_CHILDREN)}
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     * @throws NullPointerException if an argument is null
     */
    public static StartResult startChild(ServerRef sup, Runnable fn, Restart restart) {
        Objects.requireNonNull(sup, "sup must not be null");
        Objects.requireNonNull(fn, "fn must not be null");
        Objects.requireNonNull(restart, "restart must not be null");
        return DynamicSupervisor.startChild(sup, taskSpec(fn).withRestart(restart));
    }

    /**
     * The supervisor's running tasks ({@code Task.Supervisor.children}).
     *
     * @param sup the task supervisor
     * @return the pids of its running tasks, oldest first; unmodifiable
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     * @throws NullPointerException if {@code sup} is null
     */
    public static List<Pid> children(ServerRef sup) {
        List<Pid> out = new ArrayList<>();
        for (ChildInfo c : DynamicSupervisor.whichChildren(Objects.requireNonNull(sup, "sup must not be null"))) {
            c.pid().ifPresent(out::add);
        }
        return List.copyOf(out);
    }

    /**
     * Stops one task ({@code Task.Supervisor.terminate_child}): {@code shutdown}, then killed
     * after its shutdown time.
     *
     * @param sup the task supervisor
     * @param pid the task
     * @throws IllegalArgumentException if {@code pid} is not a task of {@code sup}
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     * @throws NullPointerException if an argument is null
     */
    public static void terminateChild(ServerRef sup, Pid pid) {
        DynamicSupervisor.terminateChild(sup, pid);
    }

    private static Pid startTemporary(ServerRef sup, Runnable body) {
        Objects.requireNonNull(sup, "sup must not be null");
        return DynamicSupervisor.startChild(sup, taskSpec(body).withRestart(Restart.TEMPORARY)).pid();
    }

    /** A task child: a plain process linked to the supervisor, 5 s shutdown, as Elixir's. */
    private static ChildSpec taskSpec(Runnable body) {
        return ChildSpec.worker("task", () -> new StartResult.Ok(Proc.spawnLink(body)));
    }

}
