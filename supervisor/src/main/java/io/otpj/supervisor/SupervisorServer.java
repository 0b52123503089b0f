package io.otpj.supervisor;

import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.Exit;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process behind {@link Supervisor}: a GenServer that traps exits, keeps its children in
 * start order, and restarts them on their EXIT by its strategy and intensity.
 *
 * <p>Everything runs on the supervisor's own process, one message at a time, so the state needs
 * no synchronisation. A restart runs to completion inside the handling of the EXIT that caused
 * it: a call that arrives after that EXIT sees its effect. A failed restart is retried by a
 * {@link Retry} message the supervisor sends itself, so calls queued meanwhile see the child as
 * {@link ChildStatus#RESTARTING}.
 */
final class SupervisorServer implements GenServer<SupervisorServer.Init, SupervisorServer.State> {

    static final Logger LOG = LoggerFactory.getLogger("io.otpj.supervisor.Supervisor");

    record Init(SupervisorFlags flags, List<ChildSpec> specs) {}

    /** One child. Mutable, owned by the supervisor's process; identity matters (see {@link Retry}). */
    static final class Child {
        final ChildSpec spec;
        Pid pid;
        /** The child's most recent process, dead or alive: what the restart log line names. */
        Pid last;
        ChildStatus status;
        /** Bumped by every retry scheduled, so only the latest {@link Retry} is acted on. */
        long retries;

        Child(ChildSpec spec, Pid pid, ChildStatus status) {
            this.spec = spec;
            this.pid = pid;
            this.last = pid;
            this.status = status;
        }

        /** Records a new process (or none) for this child. */
        void setPid(Pid p) {
            pid = p;
            if (p != null) {
                last = p;
            }
        }

        ChildInfo info() {
            return new ChildInfo(spec.id(), Optional.ofNullable(pid), status, spec.type());
        }

        @Override
        public String toString() {
            return spec.id() + "=" + (pid != null ? pid : status);
        }
    }

    /**
     * Retry the restart of {@code child}, which is {@code RESTARTING}. Carries what caused the
     * restart, for the log line. Ignored if the child has meanwhile been terminated, restarted or
     * deleted.
     */
    record Retry(Child child, long retry, ExitReason reason) {}

    static final class State {
        final SupervisorFlags flags;
        final Pid self;
        final ArrayList<Child> children = new ArrayList<>();
        final RestartIntensity intensity;

        State(SupervisorFlags flags, Pid self) {
            this.flags = flags;
            this.self = self;
            this.intensity = new RestartIntensity(flags.maxRestarts(), flags.maxPeriod());
        }

        Child find(Object id) {
            for (Child c : children) {
                if (c.spec.id().equals(id)) {
                    return c;
                }
            }
            return null;
        }

        Child findPid(Pid pid) {
            for (Child c : children) {
                if (pid.equals(c.pid)) {
                    return c;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            StringJoiner j = new StringJoiner(", ", "Supervisor[" + flags.strategy() + ", children=[", "]]");
            for (Child c : children) {
                j.add(c.toString());
            }
            return j.toString();
        }
    }

    // ------------------------------------------------------------------ init and terminate

    @Override
    public InitResult<State> init(Init arg) {
        Proc.trapExit(true);
        State s = new State(arg.flags(), Proc.self());
        for (ChildSpec spec : arg.specs()) {
            switch (Children.start(spec)) {
                case StartResult.Ok(Pid pid) -> s.children.add(new Child(spec, pid, ChildStatus.RUNNING));
                case StartResult.Ignored i -> {
                    if (spec.restart() != Restart.TEMPORARY) {
                        s.children.add(new Child(spec, null, ChildStatus.NOT_RUNNING));
                    }
                }
                case StartResult.Failed(ExitReason why) -> {
                    LOG.error("child_start_failed supervisor={} id={} reason={} action=abort_start", s.self, spec.id(),
                            why);
                    stopAll(s);
                    return stopInit(ExitReason.shutdown(new FailedToStartChild(spec.id(), why)));
                }
            }
        }
        return ok(s);
    }

    /**
     * Runs when the supervisor stops for any reason but {@code kill}: its parent's exit signal,
     * {@link Supervisor#stop}, or giving up. Children stop in reverse start order.
     */
    @Override
    public void terminate(ExitReason reason, State s) {
        stopAll(s);
    }

    private static void stopAll(State s) {
        for (int i = s.children.size() - 1; i >= 0; i--) {
            Child c = s.children.get(i);
            if (c.pid != null) {
                Children.shutdown(c.pid, c.spec.shutdown(), c.spec.id(), LOG);
                c.setPid(null);
                c.status = ChildStatus.NOT_RUNNING;
            }
        }
    }

    // ------------------------------------------------------------------ messages

    @Override
    public CastResult<State> handleInfo(Object message, State s) throws Exception {
        switch (message) {
            case Exit(Pid from, ExitReason reason) -> {
                Child c = s.findPid(from);
                // An EXIT from a pid that is no longer a child: a child we stopped ourselves, or
                // a process that merely linked to us. Pids are never reused, so it is stale.
                return c == null ? noreply(s) : childExited(c, reason, s);
            }
            case Retry r -> {
                Child c = r.child();
                if (c.status == ChildStatus.RESTARTING && c.retries == r.retry() && s.children.contains(c)) {
                    return restart(c, r.reason(), s);
                }
                return noreply(s);
            }
            default -> {
                return GenServer.super.handleInfo(message, s);
            }
        }
    }

    private CastResult<State> childExited(Child c, ExitReason reason, State s) {
        c.setPid(null);
        if (!Children.restarts(c.spec.restart(), reason)) {
            if (c.spec.restart() == Restart.TEMPORARY) {
                s.children.remove(c);
            } else {
                c.status = ChildStatus.NOT_RUNNING;
            }
            return noreply(s);
        }
        c.status = ChildStatus.RESTARTING;
        return restart(c, reason, s);
    }

    /**
     * One restart attempt for {@code c} (RESTARTING, no pid), by the strategy. Counts toward the
     * intensity; on excess the supervisor stops with {@code shutdown} (terminate stops the
     * children). On a failed start the failing child is left RESTARTING and retried by message.
     */
    private CastResult<State> restart(Child c, ExitReason reason, State s) {
        if (!s.intensity.tryAdd(System.nanoTime())) {
            LOG.error("supervisor_gave_up supervisor={} reason=reached_max_restart_intensity max_restarts={} "
                    + "max_period={} id={} pid={} child_reason={}", s.self, s.flags.maxRestarts(),
                    s.flags.maxPeriod(), c.spec.id(), c.last, reason);
            SupervisorEvents.gaveUp(s.self, c.spec.id(), reason, s.flags.maxRestarts(), s.flags.maxPeriod());
            return stop(ExitReason.shutdown(), s);
        }
        List<Child> group = switch (s.flags.strategy()) {
            case ONE_FOR_ONE -> List.of(c);
            case ONE_FOR_ALL -> List.copyOf(s.children);
            case REST_FOR_ONE -> List.copyOf(s.children.subList(s.children.indexOf(c), s.children.size()));
        };
        // Terminate the rest of the group in reverse start order; temporary ones go for good.
        for (int i = group.size() - 1; i >= 0; i--) {
            Child g = group.get(i);
            if (g == c) {
                continue;
            }
            if (g.pid != null) {
                Children.shutdown(g.pid, g.spec.shutdown(), g.spec.id(), LOG);
                g.setPid(null);
            }
            g.status = ChildStatus.NOT_RUNNING;
            if (g.spec.restart() == Restart.TEMPORARY) {
                s.children.remove(g);
            }
        }
        // Start the group again in start order, as OTP does: every non-temporary child in it.
        for (Child g : group) {
            if (g != c && g.spec.restart() == Restart.TEMPORARY) {
                continue;
            }
            switch (Children.start(g.spec)) {
                case StartResult.Ok(Pid pid) -> {
                    Pid before = g.last;
                    g.setPid(pid);
                    g.status = ChildStatus.RUNNING;
                    if (g == c) {
                        LOG.warn("child_restarted supervisor={} id={} pid={} reason={} new_pid={} strategy={}", s.self,
                                c.spec.id(), before, reason, pid, s.flags.strategy());
                        SupervisorEvents.restarted(s.self, c.spec.id(), before, pid, reason, s.flags.strategy());
                    }
                }
                case StartResult.Ignored i -> g.status = ChildStatus.NOT_RUNNING;
                case StartResult.Failed(ExitReason why) -> {
                    g.status = ChildStatus.RESTARTING;
                    LOG.warn("child_restart_failed supervisor={} id={} reason={} action=retry", s.self, g.spec.id(),
                            why);
                    Proc.send(s.self, new Retry(g, ++g.retries, reason));
                    return noreply(s);
                }
            }
        }
        return noreply(s);
    }

    // ------------------------------------------------------------------ calls

    @Override
    public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
        if (!(request instanceof Requests.Request r)) {
            return GenServer.super.handleCall(request, from, s);
        }
        Object reply = switch (r) {
            case Requests.StartChild(ChildSpec spec) -> startChild(spec, s);
            case Requests.TerminateChild(Object id) -> terminateChild(id, s);
            case Requests.RestartChild(Object id) -> restartChild(id, s);
            case Requests.DeleteChild(Object id) -> deleteChild(id, s);
            case Requests.WhichChildren w -> s.children.stream().map(Child::info).toList();
            case Requests.CountChildren cc -> count(s);
            case Requests.TerminatePid t -> Requests.badArgument(s.self + " is a Supervisor: it terminates children by id, "
                    + "not by pid (DynamicSupervisor.terminateChild is for dynamic supervisors)");
        };
        return reply(reply, s);
    }

    private static Object startChild(ChildSpec spec, State s) {
        Child existing = s.find(spec.id());
        if (existing != null) {
            return new StartResult.Failed(existing.pid != null
                    ? new ExitReason.AlreadyStarted(existing.pid)
                    : Supervisor.ALREADY_PRESENT);
        }
        StartResult r = Children.start(spec);
        switch (r) {
            case StartResult.Ok(Pid pid) -> s.children.add(new Child(spec, pid, ChildStatus.RUNNING));
            case StartResult.Ignored i -> {
                if (spec.restart() != Restart.TEMPORARY) {
                    s.children.add(new Child(spec, null, ChildStatus.NOT_RUNNING));
                }
            }
            case StartResult.Failed f -> {}
        }
        return r;
    }

    private static Object terminateChild(Object id, State s) {
        Child c = s.find(id);
        if (c == null) {
            return noSuchChild(id, s);
        }
        if (c.pid != null) {
            Children.shutdown(c.pid, c.spec.shutdown(), id, LOG);
            c.setPid(null);
        }
        c.status = ChildStatus.NOT_RUNNING;
        if (c.spec.restart() == Restart.TEMPORARY) {
            s.children.remove(c);
        }
        return Requests.DONE;
    }

    private static Object restartChild(Object id, State s) {
        Child c = s.find(id);
        if (c == null) {
            return noSuchChild(id, s);
        }
        if (c.status != ChildStatus.NOT_RUNNING) {
            return Requests.badState("child " + id + " of supervisor " + s.self + " is " + describe(c)
                    + ": only a child that is not running can be restarted (terminate it first)");
        }
        StartResult r = Children.start(c.spec);
        if (r instanceof StartResult.Ok(Pid pid)) {
            c.setPid(pid);
            c.status = ChildStatus.RUNNING;
        }
        return r;
    }

    private static Object deleteChild(Object id, State s) {
        Child c = s.find(id);
        if (c == null) {
            return noSuchChild(id, s);
        }
        if (c.status != ChildStatus.NOT_RUNNING) {
            return Requests.badState("child " + id + " of supervisor " + s.self + " is " + describe(c)
                    + ": terminate it before deleting its spec");
        }
        s.children.remove(c);
        return Requests.DONE;
    }

    private static String describe(Child c) {
        return c.status == ChildStatus.RUNNING ? "running as " + c.pid : "restarting";
    }

    private static Requests.Rejected noSuchChild(Object id, State s) {
        return Requests.badArgument("supervisor " + s.self + " has no child with id " + id);
    }

    private static ChildCounts count(State s) {
        int active = 0, sups = 0;
        for (Child c : s.children) {
            if (c.pid != null) {
                active++;
            }
            if (c.spec.type() == ChildType.SUPERVISOR) {
                sups++;
            }
        }
        return new ChildCounts(s.children.size(), active, sups, s.children.size() - sups);
    }
}
