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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process behind {@link DynamicSupervisor}: one_for_one over children started at run time,
 * indexed by pid so that a supervisor of many thousands of children finds one in constant time.
 * Runs on its own process only.
 */
final class DynamicSupervisorServer implements GenServer<DynamicSupervisor.Options, DynamicSupervisorServer.State> {

    static final Logger LOG = LoggerFactory.getLogger("io.otpj.supervisor.DynamicSupervisor");

    /** One child; identity matters. */
    static final class Child {
        final ChildSpec spec;
        Pid pid;
        /** The pid it had when it last exited, while it is restarting; else null. */
        Pid exited;
        ChildStatus status;
        long retries;

        Child(ChildSpec spec, Pid pid) {
            this.spec = spec;
            this.pid = pid;
            this.status = ChildStatus.RUNNING;
        }

        ChildInfo info() {
            return new ChildInfo(spec.id(), Optional.ofNullable(pid), status, spec.type());
        }
    }

    record Retry(Child child, long retry, Pid exited, ExitReason reason) {}

    static final class State {
        final DynamicSupervisor.Options opts;
        final Pid self;
        final RestartIntensity intensity;
        /** All children, running or restarting, in the order they were first started. */
        final LinkedHashSet<Child> children = new LinkedHashSet<>();
        final HashMap<Pid, Child> byPid = new HashMap<>();
        /**
         * Children between restarts (their restart failed and is retried), by the pid they had
         * when they exited: {@code terminateChild} with that pid stops the restarting, as
         * Elixir's does.
         */
        final HashMap<Pid, Child> restarting = new HashMap<>();

        State(DynamicSupervisor.Options opts, Pid self) {
            this.opts = opts;
            this.self = self;
            this.intensity = new RestartIntensity(opts.maxRestarts(), opts.maxPeriod());
        }

        @Override
        public String toString() {
            return "DynamicSupervisor[children=" + children.size() + ", running=" + byPid.size() + ", max_children="
                    + (opts.maxChildren() == DynamicSupervisor.UNLIMITED ? "infinity" : opts.maxChildren()) + "]";
        }
    }

    @Override
    public InitResult<State> init(DynamicSupervisor.Options opts) {
        Proc.trapExit(true);
        return ok(new State(opts, Proc.self()));
    }

    /** Stops all children at once, each within its own shutdown time, as Elixir does. */
    @Override
    public void terminate(ExitReason reason, State s) {
        List<Children.Stopping> running = new ArrayList<>(s.byPid.size());
        for (Child c : s.children) {
            if (c.pid != null) {
                running.add(new Children.Stopping(c.pid, c.spec.shutdown(), c.spec.id()));
            }
        }
        Children.shutdownAll(running, LOG);
        s.children.clear();
        s.byPid.clear();
        s.restarting.clear();
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) throws Exception {
        switch (message) {
            case Exit(Pid from, ExitReason reason) -> {
                Child c = s.byPid.remove(from);
                if (c == null) {
                    return noreply(s);
                }
                c.pid = null;
                if (!Children.restarts(c.spec.restart(), reason)) {
                    s.children.remove(c);
                    return noreply(s);
                }
                c.status = ChildStatus.RESTARTING;
                c.exited = from;
                s.restarting.put(from, c);
                return restart(c, from, reason, s);
            }
            case Retry r -> {
                Child c = r.child();
                if (c.status == ChildStatus.RESTARTING && c.retries == r.retry() && s.children.contains(c)) {
                    return restart(c, r.exited(), r.reason(), s);
                }
                return noreply(s);
            }
            default -> {
                return GenServer.super.handleInfo(message, s);
            }
        }
    }

    private CastResult<State> restart(Child c, Pid exited, ExitReason reason, State s) {
        if (!s.intensity.tryAdd(System.nanoTime())) {
            LOG.error("supervisor_gave_up supervisor={} reason=reached_max_restart_intensity max_restarts={} "
                    + "max_period={} id={} pid={} child_reason={}", s.self, s.opts.maxRestarts(), s.opts.maxPeriod(),
                    c.spec.id(), exited, reason);
            SupervisorEvents.gaveUp(s.self, c.spec.id(), reason, s.opts.maxRestarts(), s.opts.maxPeriod());
            return stop(ExitReason.shutdown(), s);
        }
        switch (Children.start(c.spec, s.opts.extraArgs())) {
            case StartResult.Ok(Pid pid) -> {
                s.restarting.remove(exited);
                c.exited = null;
                c.pid = pid;
                c.status = ChildStatus.RUNNING;
                s.byPid.put(pid, c);
                LOG.warn("child_restarted supervisor={} id={} pid={} reason={} new_pid={}", s.self, c.spec.id(), exited,
                        reason, pid);
                SupervisorEvents.restarted(s.self, c.spec.id(), exited, pid, reason, "one_for_one");
            }
            case StartResult.Ignored i -> {
                s.restarting.remove(exited);
                s.children.remove(c);
                LOG.warn("child_restart_ignored supervisor={} id={} pid={} reason={} action=removed", s.self,
                        c.spec.id(), exited, reason);
            }
            case StartResult.Failed(ExitReason why) -> {
                LOG.warn("child_restart_failed supervisor={} id={} reason={} action=retry", s.self, c.spec.id(), why);
                Proc.send(s.self, new Retry(c, ++c.retries, exited, reason));
            }
        }
        return noreply(s);
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
        if (!(request instanceof Requests.Request r)) {
            return GenServer.super.handleCall(request, from, s);
        }
        Object reply = switch (r) {
            case Requests.StartChild(ChildSpec spec) -> startChild(spec, s);
            case Requests.TerminatePid(Pid pid) -> terminateChild(pid, s);
            case Requests.WhichChildren w -> s.children.stream().map(Child::info).toList();
            case Requests.CountChildren cc -> count(s);
            case Requests.TerminateChild t -> byIdRejected("terminateChild", s);
            case Requests.RestartChild rc -> byIdRejected("restartChild", s);
            case Requests.DeleteChild d -> byIdRejected("deleteChild", s);
        };
        return reply(reply, s);
    }

    private static Requests.Rejected byIdRejected(String op, State s) {
        return Requests.badArgument(s.self + " is a DynamicSupervisor: " + op + " by id is not supported; use "
                + "DynamicSupervisor.terminateChild(sup, pid)");
    }

    private static StartResult startChild(ChildSpec spec, State s) {
        if (s.children.size() >= s.opts.maxChildren()) {
            return new StartResult.Failed(DynamicSupervisor.MAX_CHILDREN);
        }
        StartResult r = Children.start(spec, s.opts.extraArgs());
        if (r instanceof StartResult.Ok(Pid pid)) {
            if (s.byPid.containsKey(pid)) {
                // A start function that hands back a child we already supervise ("ensure
                // started"): one process is one child, never two records.
                return new StartResult.Failed(new ExitReason.AlreadyStarted(pid));
            }
            Child c = new Child(spec, pid);
            s.children.add(c);
            s.byPid.put(pid, c);
        }
        return r;
    }

    private static Object terminateChild(Pid pid, State s) {
        Child c = s.byPid.remove(pid);
        if (c == null) {
            Child between = s.restarting.remove(pid);
            if (between != null) {
                // Between restarts: nothing runs; forget it, so its pending Retry finds it gone.
                s.children.remove(between);
                between.exited = null;
                LOG.info("child_terminated_while_restarting supervisor={} id={} pid={}", s.self, between.spec.id(), pid);
                return Requests.DONE;
            }
            return Requests.badArgument("dynamic supervisor " + s.self + " has no child " + pid);
        }
        Children.shutdown(pid, c.spec.shutdown(), c.spec.id(), LOG);
        s.children.remove(c);
        return Requests.DONE;
    }

    private static ChildCounts count(State s) {
        int sups = 0;
        for (Child c : s.children) {
            if (c.spec.type() == ChildType.SUPERVISOR) {
                sups++;
            }
        }
        return new ChildCounts(s.children.size(), s.byPid.size(), sups, s.children.size() - sups);
    }
}
