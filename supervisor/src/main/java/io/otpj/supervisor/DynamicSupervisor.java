package io.otpj.supervisor;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A supervisor that starts its children on demand: the Java form of Elixir's
 * {@code DynamicSupervisor}. The usual home of "one process per entity", such as one campaign
 * server per campaign id.
 *
 * <pre>{@code
 * DynamicSupervisor.startLink(DynamicSupervisor.Options.defaults(), Name.local("campaigns"));
 * DynamicSupervisor.startChild(Name.local("campaigns"), Campaign.childSpec("c-42"));
 * }</pre>
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li>It starts with no children; {@link #startChild} starts one in the supervisor's process
 *       and returns its pid. Children are one_for_one: a child's exit concerns it alone.</li>
 *   <li>Children are addressed by pid; the spec's id is only reported.</li>
 *   <li>A child whose start returns ignore is not kept; nor is a child that exits and is not to
 *       be restarted, nor one terminated with {@link #terminateChild}.</li>
 *   <li>{@link Options#maxChildren()}: past it, {@code startChild} returns
 *       {@code StartResult.Failed(MAX_CHILDREN)} without running the start function. A child
 *       being restarted still counts.</li>
 *   <li>Restart intensity, logging, retry of failed restarts and escalation are those of
 *       {@link Supervisor} (logger {@code io.otpj.supervisor.DynamicSupervisor}).</li>
 *   <li>When it stops, it stops all its children <em>concurrently</em>, as Elixir's does: each
 *       gets its shutdown signal at once and is killed when its own shutdown time has passed.
 *       Children of a dynamic supervisor have no order to honour.</li>
 * </ul>
 *
 * <h2>Extra arguments</h2>
 * Elixir prepends a dynamic supervisor's {@code extra_arguments} to each child's start
 * arguments. Here a child spec built with {@link #worker(Object, ChildStarter)} receives them:
 *
 * <pre>{@code
 * var sup = DynamicSupervisor.start(Options.defaults().withExtraArgs(List.of(ledger))).pid();
 * DynamicSupervisor.startChild(sup, DynamicSupervisor.worker("c-42",
 *         extra -> GenServer.startLink(new Campaign(), new Campaign.Args((Ledger) extra.get(0), "c-42"))));
 * }</pre>
 *
 * The client functions wait without a time limit and fail like {@link Supervisor}'s.
 */
public final class DynamicSupervisor {

    /** {@link Options#maxChildren()} meaning no limit (Elixir's {@code :infinity}). */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /** The reason {@link #startChild} fails with when the supervisor has {@code maxChildren} children. */
    public static final ExitReason MAX_CHILDREN = ExitReason.of("max_children");

    private DynamicSupervisor() {}

    /**
     * A dynamic supervisor's options: Elixir's {@code DynamicSupervisor.init/1} options.
     *
     * @param maxChildren the most children at once; {@link #UNLIMITED} by default; not negative
     * @param extraArgs given to start functions built with {@link #worker(Object, ChildStarter)};
     *     empty by default; immutable, no nulls
     * @param maxRestarts restart intensity, as {@link SupervisorFlags}: 3 by default
     * @param maxPeriod restart intensity window: 5 seconds by default
     */
    public record Options(int maxChildren, List<Object> extraArgs, int maxRestarts, Duration maxPeriod) {

        /**
         * Checks the options; {@code extraArgs} is replaced by an unmodifiable copy.
         *
         * @throws IllegalArgumentException if {@code maxChildren} or {@code maxRestarts} is
         *     negative, or {@code maxPeriod} is not positive
         * @throws NullPointerException if {@code extraArgs}, an element of it, or {@code maxPeriod} is null
         */
        public Options {
            if (maxChildren < 0) {
                throw new IllegalArgumentException("maxChildren must not be negative, got " + maxChildren);
            }
            extraArgs = List.copyOf(Objects.requireNonNull(extraArgs, "extraArgs must not be null"));
            SupervisorFlags.checkIntensity(maxRestarts, maxPeriod);
        }

        /**
         * The default options.
         *
         * @return no child limit, no extra arguments, 3 restarts in 5 seconds
         */
        public static Options defaults() {
            return new Options(UNLIMITED, List.of(), SupervisorFlags.DEFAULT_MAX_RESTARTS,
                    SupervisorFlags.DEFAULT_MAX_PERIOD);
        }

        /**
         * Returns a copy with another child limit.
         *
         * @param maxChildren the most children at once; {@link #UNLIMITED} for no limit
         * @return these options with at most {@code maxChildren} children
         * @throws IllegalArgumentException if {@code maxChildren} is negative
         */
        public Options withMaxChildren(int maxChildren) {
            return new Options(maxChildren, extraArgs, maxRestarts, maxPeriod);
        }

        /**
         * Returns a copy with other extra arguments.
         *
         * @param extraArgs the arguments for start functions built with
         *     {@link #worker(Object, ChildStarter)}; copied
         * @return these options with {@code extraArgs} for the children's start functions
         * @throws NullPointerException if {@code extraArgs} or an element of it is null
         */
        public Options withExtraArgs(List<Object> extraArgs) {
            return new Options(maxChildren, extraArgs, maxRestarts, maxPeriod);
        }

        /**
         * Returns a copy with another restart intensity.
         *
         * @param maxRestarts restarts allowed within {@code maxPeriod}; not negative
         * @param maxPeriod the sliding window; positive
         * @return these options with at most {@code maxRestarts} restarts in {@code maxPeriod}
         * @throws IllegalArgumentException if {@code maxRestarts} is negative or {@code maxPeriod}
         *     is not positive
         * @throws NullPointerException if {@code maxPeriod} is null
         */
        public Options withIntensity(int maxRestarts, Duration maxPeriod) {
            return new Options(maxChildren, extraArgs, maxRestarts, maxPeriod);
        }
    }

    /**
     * A start function that takes the supervisor's extra arguments: Elixir's
     * {@code start: {M, F, args}} with {@code extra_arguments} prepended.
     */
    @FunctionalInterface
    public interface ChildStarter {
        /**
         * Starts the child, linked to the calling (supervisor) process.
         *
         * @param extraArgs the {@link Options#extraArgs()} of the dynamic supervisor starting
         *     it; empty when a plain {@link Supervisor} starts it
         * @return what any {@link ChildSpec} start function returns: {@code Ok} with the child's
         *     pid, {@code Ignored} or {@code Failed}
         */
        StartResult start(List<Object> extraArgs);
    }

    /**
     * A worker spec (permanent, 5 s shutdown) whose start function receives the extra arguments
     * of the dynamic supervisor that starts it. Adjust it with the withers as any spec.
     *
     * @param id the spec's id; a dynamic supervisor only reports it
     * @param starter starts the child, in the supervisor's process, given its extra arguments
     * @return the spec
     * @throws NullPointerException if an argument is null
     */
    public static ChildSpec worker(Object id, ChildStarter starter) {
        Objects.requireNonNull(starter, "starter must not be null");
        return ChildSpec.worker(id, () -> starter.start(Children.EXTRA_ARGS.isBound()
                ? Children.EXTRA_ARGS.get()
                : List.of()));
    }

    // ------------------------------------------------------------------ start

    /**
     * Starts a dynamic supervisor linked to the calling process, with no children.
     *
     * @param opts the child limit, extra arguments and restart intensity
     * @return {@link StartResult.Ok} with the supervisor's pid, or {@link StartResult.Failed}
     * @throws IllegalStateException if the caller is not a process (use {@link #start})
     * @throws NullPointerException if {@code opts} is null
     */
    public static StartResult startLink(Options opts) {
        return GenServer.startLink(new DynamicSupervisorServer(), Objects.requireNonNull(opts, "opts must not be null"));
    }

    /**
     * Like {@link #startLink(Options)}, registering the supervisor under {@code name}.
     *
     * @param opts the child limit, extra arguments and restart intensity
     * @param name the supervisor's name
     * @return {@link StartResult.Ok} with the supervisor's pid, or {@link StartResult.Failed}:
     *     {@code Failed(AlreadyStarted(holder))} if {@code name} is taken
     * @throws IllegalStateException if the caller is not a process
     * @throws NullPointerException if an argument is null
     */
    public static StartResult startLink(Options opts, Name name) {
        return GenServer.startLink(new DynamicSupervisorServer(), Objects.requireNonNull(opts, "opts must not be null"),
                Objects.requireNonNull(name, "name"));
    }

    /**
     * Starts a dynamic supervisor not linked to the caller, with no children; works from any
     * thread. Stop it with {@link #stop}.
     *
     * @param opts the child limit, extra arguments and restart intensity
     * @return {@link StartResult.Ok} with the supervisor's pid, or {@link StartResult.Failed}
     * @throws NullPointerException if {@code opts} is null
     */
    public static StartResult start(Options opts) {
        return GenServer.start(new DynamicSupervisorServer(), Objects.requireNonNull(opts, "opts must not be null"));
    }

    /**
     * Like {@link #start(Options)}, registering the supervisor under {@code name}.
     *
     * @param opts the child limit, extra arguments and restart intensity
     * @param name the supervisor's name
     * @return {@link StartResult.Ok} with the supervisor's pid, or {@link StartResult.Failed}:
     *     {@code Failed(AlreadyStarted(holder))} if {@code name} is taken
     * @throws NullPointerException if an argument is null
     */
    public static StartResult start(Options opts, Name name) {
        return GenServer.start(new DynamicSupervisorServer(), Objects.requireNonNull(opts, "opts must not be null"),
                Objects.requireNonNull(name, "name"));
    }

    /**
     * A child spec that starts a nested dynamic supervisor linked: type supervisor, permanent,
     * shutdown infinity. Each start of the child starts a new, empty dynamic supervisor.
     *
     * @param id the child's id in its parent supervisor
     * @param opts the nested supervisor's options
     * @return the spec, to adjust with the withers as any spec
     * @throws NullPointerException if an argument is null
     */
    public static ChildSpec childSpec(Object id, Options opts) {
        Objects.requireNonNull(opts, "opts must not be null");
        return ChildSpec.supervisor(id, () -> GenServer.startLink(new DynamicSupervisorServer(), opts));
    }

    /**
     * Like {@link #childSpec(Object, Options)}, the nested supervisor registered as {@code name}.
     *
     * @param id the child's id in its parent supervisor
     * @param opts the nested supervisor's options
     * @param name the nested supervisor's name, registered at each start
     * @return the spec, to adjust with the withers as any spec
     * @throws NullPointerException if an argument is null
     */
    public static ChildSpec childSpec(Object id, Options opts, Name name) {
        Objects.requireNonNull(opts, "opts must not be null");
        Objects.requireNonNull(name, "name");
        return ChildSpec.supervisor(id, () -> GenServer.startLink(new DynamicSupervisorServer(), opts, name));
    }

    // ------------------------------------------------------------------ children

    /**
     * Starts a child from {@code spec} in the supervisor's process.
     *
     * @param sup the dynamic supervisor
     * @param spec the child's spec; its id need not be unique
     * @return {@link StartResult.Ok} with its pid; {@link StartResult.Ignored} (not kept);
     *     {@link StartResult.Failed} with the start's reason, with {@link #MAX_CHILDREN} (the
     *     start function did not run), or with {@code AlreadyStarted(pid)} if the start function
     *     returned a process the supervisor already has as a child (that child is unchanged)
     * @throws NullPointerException if an argument is null
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     */
    public static StartResult startChild(ServerRef sup, ChildSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        return Requests.call(sup, new Requests.StartChild(spec));
    }

    /**
     * Stops the child {@code pid} as its spec's shutdown says, waits for its death and forgets it.
     * A child between restarts (its restart failed and is being retried) is addressed by the pid
     * it had when it exited, as in Elixir: its restarting stops and it is forgotten; nothing runs,
     * so nothing is shut down.
     *
     * @param sup the dynamic supervisor
     * @param pid the child's process, or the last pid of a child between restarts
     * @throws IllegalArgumentException if {@code pid} is neither a running child of {@code sup}
     *     nor the last pid of one between restarts (Elixir's {@code {:error, :not_found}}; so a
     *     second call for the same child), or {@code sup} is a {@link Supervisor}
     * @throws NullPointerException if an argument is null
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     */
    public static void terminateChild(ServerRef sup, Pid pid) {
        Objects.requireNonNull(pid, "pid must not be null");
        Requests.call(sup, new Requests.TerminatePid(pid));
    }

    /**
     * Lists the children, as the supervisor's process reports them.
     *
     * @param sup the dynamic supervisor
     * @return the children, running or restarting, in the order they were first started;
     *     unmodifiable
     * @throws NullPointerException if {@code sup} is null
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     */
    public static List<ChildInfo> whichChildren(ServerRef sup) {
        return Requests.call(sup, new Requests.WhichChildren());
    }

    /**
     * Counts the children, computed in the supervisor.
     *
     * @param sup the dynamic supervisor
     * @return the children's counts ({@code specs} counts running and restarting children)
     * @throws NullPointerException if {@code sup} is null
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     */
    public static ChildCounts countChildren(ServerRef sup) {
        return Requests.call(sup, new Requests.CountChildren());
    }

    /**
     * Stops the supervisor with {@code normal}; its children stop first, concurrently. Waits
     * without a time limit.
     *
     * @param sup the dynamic supervisor
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     * @throws io.otpj.core.ServerExitedException if it exited with another reason (it died of
     *     something else first, or its {@code terminate} threw)
     */
    public static void stop(ServerRef sup) {
        GenServer.stop(sup, ExitReason.normal(), Proc.INFINITY);
    }

    /**
     * Stops the supervisor with {@code reason}, as {@link GenServer#stop(ServerRef, ExitReason, Duration)};
     * its children stop first, concurrently.
     *
     * @param sup the dynamic supervisor
     * @param reason the supervisor's exit reason
     * @param timeout how long to wait for its death; {@link Proc#INFINITY} waits forever
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     * @throws io.otpj.core.CallTimeoutException if it did not stop within {@code timeout}: it is
     *     left running, and still stops when it reaches the stop request
     * @throws io.otpj.core.ServerExitedException if it exited with another reason (it died of
     *     something else first, or its {@code terminate} threw)
     */
    public static void stop(ServerRef sup, ExitReason reason, Duration timeout) {
        GenServer.stop(sup, reason, timeout);
    }
}
