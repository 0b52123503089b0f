package io.otpj.supervisor;

import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.NodeProcess;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A supervisor with children given at start: the Java form of Elixir's {@code Supervisor} and
 * Erlang's {@code supervisor}.
 *
 * <pre>{@code
 * StartResult r = Supervisor.startLink(SupervisorFlags.oneForOne(), List.of(
 *         Ledger.childSpec(config),
 *         ChildSpec.worker("notifier", () -> GenServer.startLink(new Notifier(), null))));
 * }</pre>
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li>The supervisor is a process (a GenServer that traps exits): it can be named,
 *       monitored, linked to and nested under another supervisor.</li>
 *   <li>Children start in list order when the supervisor starts, before {@code startLink}
 *       returns. If one fails to start, those already started are stopped in reverse order and
 *       the start fails with {@code shutdown({failed_to_start_child, id, reason})} (see
 *       {@link FailedToStartChild}).</li>
 *   <li>A child that exits is restarted according to its {@link Restart} and the
 *       {@link Strategy}; each restart is logged as one line
 *       {@code child_restarted supervisor=.. id=.. pid=.. reason=..} (WARN, logger
 *       {@code io.otpj.supervisor.Supervisor}). A restart that fails is logged
 *       ({@code child_restart_failed}), shown as {@link ChildStatus#RESTARTING} and retried
 *       through a message the supervisor sends itself.</li>
 *   <li>More than {@code maxRestarts} restart attempts within {@code maxPeriod}: the supervisor
 *       logs {@code supervisor_gave_up} (ERROR), stops all children in reverse order and exits
 *       with {@code shutdown}.</li>
 *   <li>When the supervisor stops (its parent's exit signal, {@link #stop}, giving up) it stops
 *       its children in reverse start order, each as its {@link Shutdown} says, waiting for each
 *       death on a monitor. If it is killed, its links take the children down.</li>
 * </ul>
 *
 * <h2>The client functions</h2>
 * The functions below call the supervisor and wait without a time limit, as OTP's do (a child's
 * start or shutdown may take long). They are thread-safe and work from processes and plain
 * threads. On a dead or unknown supervisor they throw {@link io.otpj.core.NoProcException}; if it
 * dies during the call, {@link io.otpj.core.ServerExitedException}. A child's start function runs
 * in the supervisor's process, so it must not call these functions on its own supervisor.
 */
public final class Supervisor {

    /**
     * The reason of a {@link #startChild} whose id is already used by a child that is not
     * running: Erlang's {@code already_present}. (A running one gives
     * {@link ExitReason.AlreadyStarted}.)
     */
    public static final ExitReason ALREADY_PRESENT = ExitReason.of("already_present");

    private Supervisor() {}

    // ------------------------------------------------------------------ start

    /**
     * Starts a supervisor linked to the calling process and waits until all children are
     * started. Its parent's exit signal (the caller's death, or {@code shutdown} from a parent
     * supervisor) makes it stop its children in reverse order and exit.
     *
     * @param flags the strategy and restart intensity
     * @param children the children's specs, in start order; copied, so later changes to the list
     *     do not reach the supervisor
     * @return {@link StartResult.Ok} with the supervisor's pid, or {@link StartResult.Failed}
     * @throws IllegalStateException if the caller is not a process (use {@link #start})
     * @throws IllegalArgumentException if two children have the same id
     * @throws NullPointerException if an argument or a child spec is null
     */
    public static StartResult startLink(SupervisorFlags flags, List<ChildSpec> children) {
        return GenServer.startLink(new SupervisorServer(), init(flags, children));
    }

    /**
     * Like {@link #startLink(SupervisorFlags, List)}, registering the supervisor under
     * {@code name} before its children start.
     *
     * @param flags the strategy and restart intensity
     * @param children the children's specs, in start order; copied
     * @param name the supervisor's name
     * @return {@link StartResult.Ok} with the supervisor's pid, or {@link StartResult.Failed}:
     *     {@code Failed(AlreadyStarted(holder))} if {@code name} is taken, in which case no child
     *     is started
     * @throws IllegalStateException if the caller is not a process
     * @throws IllegalArgumentException if two children have the same id
     * @throws NullPointerException if an argument or a child spec is null
     */
    public static StartResult startLink(SupervisorFlags flags, List<ChildSpec> children, Name name) {
        return GenServer.startLink(new SupervisorServer(), init(flags, children), Objects.requireNonNull(name, "name"));
    }

    /**
     * Starts a supervisor not linked to the caller; works from any thread. Stop it with
     * {@link #stop}.
     *
     * @param flags the strategy and restart intensity
     * @param children the children's specs, in start order; copied
     * @return {@link StartResult.Ok} with the supervisor's pid, or {@link StartResult.Failed}, as
     *     {@link #startLink(SupervisorFlags, List)}
     * @throws IllegalArgumentException if two children have the same id
     * @throws NullPointerException if an argument or a child spec is null
     */
    public static StartResult start(SupervisorFlags flags, List<ChildSpec> children) {
        return GenServer.start(new SupervisorServer(), init(flags, children));
    }

    /**
     * Like {@link #start(SupervisorFlags, List)}, registering the supervisor under {@code name}
     * before its children start.
     *
     * @param flags the strategy and restart intensity
     * @param children the children's specs, in start order; copied
     * @param name the supervisor's name
     * @return {@link StartResult.Ok} with the supervisor's pid, or {@link StartResult.Failed}:
     *     {@code Failed(AlreadyStarted(holder))} if {@code name} is taken, in which case no child
     *     is started
     * @throws IllegalArgumentException if two children have the same id
     * @throws NullPointerException if an argument or a child spec is null
     */
    public static StartResult start(SupervisorFlags flags, List<ChildSpec> children, Name name) {
        return GenServer.start(new SupervisorServer(), init(flags, children), Objects.requireNonNull(name, "name"));
    }

    /**
     * A child spec that starts a nested supervisor with {@link #startLink(SupervisorFlags, List)}:
     * type supervisor, permanent, shutdown infinity. {@code flags} and {@code children} are
     * checked now; every start of the child starts a new supervisor from them.
     *
     * @param id the child's id in its parent supervisor
     * @param flags the nested supervisor's strategy and restart intensity
     * @param children the nested supervisor's children, in start order; copied now
     * @return the spec, to adjust with the withers as any spec
     * @throws IllegalArgumentException if two children have the same id
     * @throws NullPointerException if an argument or a child spec is null
     */
    public static ChildSpec childSpec(Object id, SupervisorFlags flags, List<ChildSpec> children) {
        SupervisorServer.Init init = init(flags, children);
        return ChildSpec.supervisor(id, () -> GenServer.startLink(new SupervisorServer(), init));
    }

    /**
     * Like {@link #childSpec(Object, SupervisorFlags, List)}, the nested supervisor registered as
     * {@code name}.
     *
     * @param id the child's id in its parent supervisor
     * @param flags the nested supervisor's strategy and restart intensity
     * @param children the nested supervisor's children, in start order; copied now
     * @param name the nested supervisor's name, registered at each start
     * @return the spec, to adjust with the withers as any spec
     * @throws IllegalArgumentException if two children have the same id
     * @throws NullPointerException if an argument or a child spec is null
     */
    public static ChildSpec childSpec(Object id, SupervisorFlags flags, List<ChildSpec> children, Name name) {
        SupervisorServer.Init init = init(flags, children);
        Objects.requireNonNull(name, "name");
        return ChildSpec.supervisor(id, () -> GenServer.startLink(new SupervisorServer(), init, name));
    }

    private static SupervisorServer.Init init(SupervisorFlags flags, List<ChildSpec> children) {
        Objects.requireNonNull(flags, "flags must not be null");
        Objects.requireNonNull(children, "children must not be null");
        List<ChildSpec> specs = List.copyOf(children);
        Set<Object> ids = new HashSet<>();
        for (ChildSpec spec : specs) {
            if (!ids.add(spec.id())) {
                throw new IllegalArgumentException("duplicate child id " + spec.id() + " in " + specs);
            }
        }
        return new SupervisorServer.Init(flags, specs);
    }

    // ------------------------------------------------------------------ children

    /**
     * Adds a child and starts it, in the supervisor's process; it goes last in the start order.
     *
     * @param sup the supervisor
     * @param spec the child's spec; its id is compared with those of the existing children
     * @return {@link StartResult.Ok} (the child runs), {@link StartResult.Ignored} (its start
     *     returned ignore; a non-temporary spec is kept, not running), or
     *     {@link StartResult.Failed}: with the start's reason (the spec is not kept), with
     *     {@link ExitReason.AlreadyStarted} if a running child has this id, or with
     *     {@link #ALREADY_PRESENT} if a child that is not running (or restarting) has it
     * @throws NullPointerException if an argument is null
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     */
    public static StartResult startChild(ServerRef sup, ChildSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        return Requests.call(sup, new Requests.StartChild(spec));
    }

    /**
     * Stops the child {@code id} as its shutdown says and returns once it is dead. Its spec is
     * kept (not running) unless it is temporary; it is not restarted. A child that is not
     * running stays so; one that is restarting stops being retried.
     *
     * @param sup the supervisor
     * @param id the child's id, compared with {@code equals}
     * @throws IllegalArgumentException if there is no child {@code id}, or {@code sup} is a
     *     {@link DynamicSupervisor} (use {@link DynamicSupervisor#terminateChild})
     * @throws NullPointerException if an argument is null
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     */
    public static void terminateChild(ServerRef sup, Object id) {
        Objects.requireNonNull(id, "id must not be null");
        Requests.call(sup, new Requests.TerminateChild(id));
    }

    /**
     * Starts the child {@code id} again from its kept spec. Does not count toward the restart
     * intensity.
     *
     * @param sup the supervisor
     * @param id the child's id, compared with {@code equals}
     * @return the start's result; on {@code Ignored} or {@code Failed} the child stays not running
     * @throws IllegalArgumentException if there is no child {@code id}, or {@code sup} is a
     *     {@link DynamicSupervisor}
     * @throws IllegalStateException if the child is running or restarting
     * @throws NullPointerException if an argument is null
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     */
    public static StartResult restartChild(ServerRef sup, Object id) {
        Objects.requireNonNull(id, "id must not be null");
        return Requests.call(sup, new Requests.RestartChild(id));
    }

    /**
     * Removes the spec of a child that is not running.
     *
     * @param sup the supervisor
     * @param id the child's id, compared with {@code equals}
     * @throws IllegalArgumentException if there is no child {@code id}, or {@code sup} is a
     *     {@link DynamicSupervisor}
     * @throws IllegalStateException if the child is running or restarting (terminate it first)
     * @throws NullPointerException if an argument is null
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     */
    public static void deleteChild(ServerRef sup, Object id) {
        Objects.requireNonNull(id, "id must not be null");
        Requests.call(sup, new Requests.DeleteChild(id));
    }

    /**
     * Lists the children, as the supervisor's process reports them.
     *
     * @param sup the supervisor (a {@link DynamicSupervisor} answers too)
     * @return every child, in start order, as the supervisor sees it after handling all the
     *     messages that reached it before this call (a child's death whose EXIT has not arrived
     *     yet still shows as running); unmodifiable
     * @throws NullPointerException if {@code sup} is null
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     */
    public static List<ChildInfo> whichChildren(ServerRef sup) {
        return Requests.call(sup, new Requests.WhichChildren());
    }

    /**
     * Walks the supervision tree under {@code sup}: its children, and under each running child of
     * type {@link ChildType#SUPERVISOR} its own tree, down to the workers. A supervisor under
     * another is asked only after its parent answered, one {@code which_children} call per
     * supervisor, each waiting at most {@code timeout}.
     *
     * <p>A child supervisor that dies, times out or does not answer as a supervisor (a worker
     * declared as {@code SUPERVISOR}) does not fail the walk: its branch has no subtree and says
     * why in {@link SupervisionTree.Branch#unreachable}. Works on a {@link DynamicSupervisor},
     * {@link PartitionSupervisor} or {@link TaskSupervisor} too.
     *
     * @param sup the root supervisor
     * @param timeout how long each supervisor's answer may take; {@link Proc#INFINITY} to wait
     *     without limit
     * @return the tree, each level as its supervisor saw it when it answered
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     * @throws io.otpj.core.CallTimeoutException if the root does not answer in time
     */
    public static SupervisionTree tree(ServerRef sup, Duration timeout) {
        Objects.requireNonNull(sup, "supervisor must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        Optional<Pid> root = GenServer.whereis(sup);
        if (root.isEmpty()) {
            Requests.call(sup, new Requests.WhichChildren(), timeout); // fails as a call to nobody does
            root = GenServer.whereis(sup); // (registered meanwhile)
        }
        Pid pid = root.orElseThrow(() -> new IllegalStateException("no supervisor under " + sup));
        return walk(pid, Requests.call(pid, new Requests.WhichChildren(), timeout), timeout);
    }

    /**
     * Whether a listed process is an otpj supervisor ({@link Supervisor}, {@link DynamicSupervisor},
     * and so {@link PartitionSupervisor}'s and {@link TaskSupervisor}'s too).
     *
     * @param p an entry of {@link Node#list()}
     * @return true if its behaviour is one of otpj's supervisor servers
     * @throws NullPointerException if {@code p} is null
     */
    public static boolean isSupervisor(NodeProcess p) {
        return p.behaviour().map(b -> b.equals(SupervisorServer.class.getName())
                || b.equals(DynamicSupervisorServer.class.getName())).orElse(false);
    }

    /**
     * The roots of the node's supervision trees: its supervisors that were not started by another
     * supervisor (started unlinked, or by a plain process or an application), in pid order. A
     * snapshot of {@link Node#list()}.
     *
     * @param node the node to look in
     * @return the root supervisors' pids; each may have died since
     * @throws NullPointerException if {@code node} is null
     */
    public static List<Pid> roots(Node node) {
        return roots(node.list());
    }

    /**
     * The roots of the supervision trees in a listing already taken (see {@link #roots(Node)}),
     * so a caller that has one does not list the node again.
     *
     * @param all a node's listing, as {@link Node#list()} returns it
     * @return the root supervisors' pids, in the listing's order
     * @throws NullPointerException if {@code all} or an entry is null
     */
    public static List<Pid> roots(List<NodeProcess> all) {
        Set<Pid> supervisors = new HashSet<>();
        for (NodeProcess p : all) {
            if (isSupervisor(p)) {
                supervisors.add(p.pid());
            }
        }
        List<Pid> roots = new ArrayList<>();
        for (NodeProcess p : all) {
            if (supervisors.contains(p.pid()) && p.parent().filter(supervisors::contains).isEmpty()) {
                roots.add(p.pid());
            }
        }
        return roots;
    }

    private static SupervisionTree walk(Pid sup, List<ChildInfo> children, Duration timeout) {
        List<SupervisionTree.Branch> branches = new ArrayList<>(children.size());
        for (ChildInfo c : children) {
            Optional<SupervisionTree> sub = Optional.empty();
            Optional<String> why = Optional.empty();
            if (c.type() == ChildType.SUPERVISOR && c.pid().isPresent()) {
                Pid child = c.pid().get();
                try {
                    Object reply = Requests.call(child, new Requests.WhichChildren(), timeout);
                    if (reply instanceof List<?> l && l.stream().allMatch(ChildInfo.class::isInstance)) {
                        @SuppressWarnings("unchecked")
                        List<ChildInfo> grand = (List<ChildInfo>) l;
                        sub = Optional.of(walk(child, grand, timeout));
                    } else {
                        why = Optional.of("not a supervisor: which_children answered " + reply);
                    }
                } catch (RuntimeException e) {
                    why = Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            branches.add(new SupervisionTree.Branch(c, sub, why));
        }
        return new SupervisionTree(sup, branches);
    }

    /**
     * Counts the children, as {@link #whichChildren} would list them.
     *
     * @param sup the supervisor (a {@link DynamicSupervisor} answers too)
     * @return the counts of {@link #whichChildren}, computed in the supervisor
     * @throws NullPointerException if {@code sup} is null
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     */
    public static ChildCounts countChildren(ServerRef sup) {
        return Requests.call(sup, new Requests.CountChildren());
    }

    // ------------------------------------------------------------------ stop

    /**
     * Stops the supervisor with {@code normal}, waiting as long as its children take to stop.
     *
     * @param sup the supervisor
     * @throws io.otpj.core.NoProcException if no live process is under {@code sup}
     * @throws io.otpj.core.ServerExitedException if it exited with another reason (it died of
     *     something else first, or its {@code terminate} threw)
     */
    public static void stop(ServerRef sup) {
        GenServer.stop(sup, ExitReason.normal(), Proc.INFINITY);
    }

    /**
     * Stops the supervisor with {@code reason}: it stops its children in reverse order, then
     * exits. Behaves as {@link GenServer#stop(ServerRef, ExitReason, Duration)}.
     *
     * @param sup the supervisor
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
