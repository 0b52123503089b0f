package io.otpj.supervisor;

import io.otpj.core.StartResult;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How to start, restart and stop one child: Elixir's child specification map and Erlang's
 * {@code child_spec()}.
 *
 * <p>Build one with {@link #worker} or {@link #supervisor} and adjust it with the withers; the
 * record is immutable and can be shared.
 *
 * <pre>{@code
 * ChildSpec.worker("ledger", () -> GenServer.startLink(new Ledger(), config, Name.local("ledger")))
 *          .withRestart(Restart.TRANSIENT)
 *          .withShutdown(Shutdown.timeout(Duration.ofSeconds(10)));
 * }</pre>
 *
 * <h2>The start function</h2>
 * {@code start} runs <em>in the supervisor's process</em>, each time the child is started or
 * restarted, and must start the child linked to it: {@code GenServer.startLink(...)},
 * {@code Supervisor.startLink(...)}, or {@code Proc.spawnLink(...)} wrapped in
 * {@code new StartResult.Ok(pid)}. It returns {@link StartResult.Ok} (the child runs),
 * {@link StartResult.Ignored} (nothing runs; see {@link ChildStatus#NOT_RUNNING}) or
 * {@link StartResult.Failed}. A start function that throws, or returns null, counts as a failed
 * start; it does not crash the supervisor. If the returned process is alive and not linked to
 * the supervisor (a plain {@code GenServer.start}), the supervisor links to it and logs
 * {@code child_not_linked}; a child that is not linked and already dead by then goes unnoticed.
 *
 * <h2>A server's own child spec</h2>
 * As an Elixir module offers {@code child_spec/1}, a server class offers a static
 * {@code childSpec(arg)} returning its default spec:
 *
 * <pre>{@code
 * final class Campaign implements GenServer<String, CampaignState> {
 *     static ChildSpec childSpec(String campaignId) {
 *         return ChildSpec.worker(campaignId,
 *                 () -> GenServer.startLink(new Campaign(), campaignId, Name.local(campaignId)));
 *     }
 *     ...
 * }
 * Supervisor.startLink(SupervisorFlags.oneForOne(), List.of(Campaign.childSpec("c-1")));
 * }</pre>
 *
 * @param id identifies the child within its {@link Supervisor} (compared with {@code equals});
 *     a {@link DynamicSupervisor} only reports it
 * @param start starts the child; see above
 * @param restart when the child is restarted
 * @param shutdown how the child is stopped
 * @param type worker or supervisor
 */
public record ChildSpec(Object id, Supplier<StartResult> start, Restart restart, Shutdown shutdown, ChildType type) {

    /** The default shutdown of a worker: {@code shutdown}, then kill after 5 seconds. */
    public static final Duration DEFAULT_WORKER_SHUTDOWN = Duration.ofSeconds(5);

    /**
     * Checks that no component is null.
     *
     * @throws NullPointerException naming the first null component
     */
    public ChildSpec {
        Objects.requireNonNull(id, "child id must not be null");
        Objects.requireNonNull(start, "child start function must not be null");
        Objects.requireNonNull(restart, "child restart must not be null");
        Objects.requireNonNull(shutdown, "child shutdown must not be null");
        Objects.requireNonNull(type, "child type must not be null");
    }

    /**
     * A worker: {@link Restart#PERMANENT}, shutdown after {@link #DEFAULT_WORKER_SHUTDOWN 5 s},
     * {@link ChildType#WORKER}.
     *
     * @param id identifies the child within its supervisor
     * @param start starts the child linked to the supervisor, in the supervisor's process (see
     *     "The start function" above)
     * @return the spec
     * @throws NullPointerException if an argument is null
     */
    public static ChildSpec worker(Object id, Supplier<StartResult> start) {
        return new ChildSpec(id, start, Restart.PERMANENT, ShutdownValues.WORKER_DEFAULT, ChildType.WORKER);
    }

    /**
     * A supervisor child: {@link Restart#PERMANENT}, {@link Shutdown#infinity()},
     * {@link ChildType#SUPERVISOR}. {@code start} is typically
     * {@code () -> Supervisor.startLink(flags, children)}; see also
     * {@link Supervisor#childSpec(Object, SupervisorFlags, java.util.List)}.
     *
     * @param id identifies the child within its supervisor
     * @param start starts the nested supervisor linked to this one, in this one's process
     * @return the spec
     * @throws NullPointerException if an argument is null
     */
    public static ChildSpec supervisor(Object id, Supplier<StartResult> start) {
        return new ChildSpec(id, start, Restart.PERMANENT, ShutdownValues.INFINITY, ChildType.SUPERVISOR);
    }

    /**
     * Returns a copy with another restart type.
     *
     * @param restart when the child is restarted
     * @return this spec with {@code restart}
     * @throws NullPointerException if {@code restart} is null
     */
    public ChildSpec withRestart(Restart restart) {
        return new ChildSpec(id, start, restart, shutdown, type);
    }

    /**
     * Returns a copy with another shutdown.
     *
     * @param shutdown how the child is stopped
     * @return this spec with {@code shutdown}
     * @throws NullPointerException if {@code shutdown} is null
     */
    public ChildSpec withShutdown(Shutdown shutdown) {
        return new ChildSpec(id, start, restart, shutdown, type);
    }

    /**
     * Returns a copy with another id.
     *
     * @param id the new id
     * @return this spec with {@code id}: how to run two children from one server's default spec
     * @throws NullPointerException if {@code id} is null
     */
    public ChildSpec withId(Object id) {
        return new ChildSpec(id, start, restart, shutdown, type);
    }

    @Override
    public String toString() {
        return "ChildSpec[id=" + id + ", restart=" + restart + ", shutdown=" + shutdown + ", type=" + type + "]";
    }
}
