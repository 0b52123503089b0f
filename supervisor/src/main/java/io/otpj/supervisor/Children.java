package io.otpj.supervisor;

import io.otpj.core.Down;
import io.otpj.core.Exit;
import io.otpj.core.ExitException;
import io.otpj.core.ExitReason;
import io.otpj.core.MonitorRef;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ProcessInfo;
import io.otpj.core.StartResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting and stopping children: the parts both supervisors share. Everything here runs in the
 * supervisor's own process.
 */
final class Children {

    /** The extra arguments of the dynamic supervisor starting a child, bound around its start function. */
    static final ScopedValue<List<Object>> EXTRA_ARGS = ScopedValue.newInstance();

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.supervisor.Supervisor");

    private Children() {}

    /**
     * Runs a child's start function and links to the child it started. A start function that
     * throws or returns null is a failed start; an {@link ExitException} from it (Erlang's
     * {@code exit/1} inside the start function) fails the start with its reason, as OTP catches it.
     */
    static StartResult start(ChildSpec spec) {
        StartResult r;
        try {
            r = spec.start().get();
        } catch (ExitException e) {
            r = new StartResult.Failed(e.reason());
        } catch (Throwable t) {
            // The supervisor itself was killed while the start function ran (core unwinds a dead
            // process with an Error): that must go on unwinding, it is not the child's failure.
            if (!Proc.isAlive(Proc.self())) {
                throw t;
            }
            r = new StartResult.Failed(ExitReason.crash(t));
        }
        if (r == null) {
            return new StartResult.Failed(new ExitReason.BadReturnValue("start function of child " + spec.id(), null));
        }
        if (r instanceof StartResult.Ok(Pid pid)) {
            ensureLinked(spec, pid);
        }
        return r;
    }

    /**
     * A start function must link the child to the supervisor (startLink). One that did not (a
     * plain {@code GenServer.start}) gets the link added here, with a warning, so the child is
     * supervised anyway. Linking unconditionally would be wrong: linking to a child that has
     * just died delivers an extra {@code EXIT(noproc)}, which may overtake the real EXIT and make
     * a transient child that exited normally look crashed. A child already dead here is left to
     * the EXIT of its link; if it had none, its death goes unnoticed, as in OTP.
     */
    private static void ensureLinked(ChildSpec spec, Pid pid) {
        Pid self = Proc.self();
        Optional<ProcessInfo> info = Proc.info(pid);
        if (info.isPresent() && !info.get().links().contains(self) && !pid.equals(self)) {
            LOG.warn("child_not_linked supervisor={} id={} pid={} action=link", self, spec.id(), pid);
            Proc.link(pid);
        }
    }

    /** Like {@link #start(ChildSpec)}, with a dynamic supervisor's extra arguments in scope. */
    static StartResult start(ChildSpec spec, List<Object> extraArgs) {
        return ScopedValue.where(EXTRA_ARGS, extraArgs).call(() -> start(spec));
    }

    /**
     * Whether a child that exited with {@code reason} is restarted under {@code restart}.
     */
    static boolean restarts(Restart restart, ExitReason reason) {
        return switch (restart) {
            case PERMANENT -> true;
            case TRANSIENT -> !reason.isClean();
            case TEMPORARY -> false;
        };
    }

    /**
     * Stops one child as its spec says and returns once it is dead: exit signal {@code shutdown},
     * wait for its DOWN up to the shutdown time, then {@code kill}. The link stays in place: if
     * the supervisor itself is killed meanwhile, the link still takes the child down. The child's
     * EXIT that follows its death reaches the supervisor later and is ignored as coming from a
     * pid that is no longer a child (pids are never reused).
     *
     * @return the child's exit reason
     */
    static ExitReason shutdown(Pid pid, Shutdown how, Object id, Logger log) {
        MonitorRef ref = Proc.monitor(pid);
        switch (how) {
            case Shutdown.BrutalKill b -> {
                Proc.exit(pid, ExitReason.kill());
                return awaitDown(ref, Proc.INFINITY);
            }
            case Shutdown.Infinity i -> {
                Proc.exit(pid, ExitReason.shutdown());
                return awaitDown(ref, Proc.INFINITY);
            }
            case Shutdown.Timeout(Duration after) -> {
                Proc.exit(pid, ExitReason.shutdown());
                Down d = receiveDown(ref, after);
                if (d != null) {
                    return d.reason();
                }
                log.warn("child_shutdown_timeout supervisor={} id={} pid={} shutdown={} action=kill", Proc.self(), id,
                        pid, after);
                Proc.exit(pid, ExitReason.kill());
                return awaitDown(ref, Proc.INFINITY);
            }
        }
    }

    /** A child to stop together with others, as {@link #shutdownAll} takes them. */
    record Stopping(Pid pid, Shutdown how, Object id) {}

    /**
     * Stops many children at once, as Elixir's DynamicSupervisor does: every child gets its
     * signal first, then the supervisor collects the DOWNs, killing each child whose own shutdown
     * time has passed. Returns once all are dead.
     */
    static void shutdownAll(List<Stopping> children, Logger log) {
        record Pending(Stopping child, long deadline, boolean killed) {}
        Map<MonitorRef, Pending> pending = new HashMap<>();
        long start = System.nanoTime();
        for (Stopping c : children) {
            MonitorRef ref = Proc.monitor(c.pid());
            switch (c.how()) {
                case Shutdown.BrutalKill b -> {
                    Proc.exit(c.pid(), ExitReason.kill());
                    pending.put(ref, new Pending(c, Long.MAX_VALUE, true));
                }
                case Shutdown.Infinity i -> {
                    Proc.exit(c.pid(), ExitReason.shutdown());
                    pending.put(ref, new Pending(c, Long.MAX_VALUE, false));
                }
                case Shutdown.Timeout(Duration after) -> {
                    Proc.exit(c.pid(), ExitReason.shutdown());
                    pending.put(ref, new Pending(c, start + saturatedNanos(after), false));
                }
            }
        }
        Set<Pid> stopping = new HashSet<>();
        for (Stopping c : children) {
            stopping.add(c.pid());
        }
        // Linear in the number of children: the pending set is rescanned only when a deadline
        // has passed, not after every DOWN; and the EXIT each dying (linked) child sends us is
        // consumed here (OTP's unlink-flush), so the selective receive never rescans a growing
        // pile of set-aside EXITs. This runs as the supervisor terminates: nothing needs them.
        long next = nextDeadline(pending.values().stream().map(Pending::deadline).toList(), Long.MAX_VALUE);
        while (!pending.isEmpty()) {
            long now = System.nanoTime();
            if (next != Long.MAX_VALUE && next - now <= 0) {
                List<Long> left = new ArrayList<>();
                for (var e : pending.entrySet()) {
                    Pending p = e.getValue();
                    if (p.killed()) {
                        continue;
                    }
                    if (p.deadline() - now <= 0) {
                        log.warn("child_shutdown_timeout supervisor={} id={} pid={} shutdown={} action=kill",
                                Proc.self(), p.child().id(), p.child().pid(), p.child().how());
                        Proc.exit(p.child().pid(), ExitReason.kill());
                        e.setValue(new Pending(p.child(), Long.MAX_VALUE, true));
                    } else {
                        left.add(p.deadline());
                    }
                }
                next = nextDeadline(left, Long.MAX_VALUE);
            }
            Duration wait = next == Long.MAX_VALUE ? Proc.INFINITY : Duration.ofNanos(Math.max(0L, next - now));
            Object m = Proc.receive(x -> (x instanceof Down d && pending.containsKey(d.ref()))
                    || (x instanceof Exit ex && stopping.contains(ex.from())), wait).orElse(null);
            if (m instanceof Down d) {
                pending.remove(d.ref());
            }
        }
    }

    private static long nextDeadline(List<Long> deadlines, long none) {
        long next = none;
        for (long d : deadlines) {
            if (d != Long.MAX_VALUE) {
                next = Math.min(next, d);
            }
        }
        return next;
    }

    private static ExitReason awaitDown(MonitorRef ref, Duration timeout) {
        Down d = receiveDown(ref, timeout);
        if (d == null) {
            throw new IllegalStateException("no DOWN for " + ref + " within " + timeout);
        }
        return d.reason();
    }

    private static Down receiveDown(MonitorRef ref, Duration timeout) {
        return (Down) Proc.receive(m -> m instanceof Down d && d.ref() == ref, timeout).orElse(null);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }
}
