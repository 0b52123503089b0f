package io.otpj.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The client side of a GenServer: start, call, send_request, stop. Everything here runs on the
 * caller's thread, a process or a plain thread; the server side is {@link GenServerLoop}.
 */
final class GenServerClient {

    private GenServerClient() {}

    static <A, S> StartResult start(GenServer<A, S> impl, A arg, Name name, boolean link) {
        return start(impl, arg, name == null ? StartOptions.defaults() : StartOptions.defaults().withName(name), link);
    }

    static <A, S> StartResult start(GenServer<A, S> impl, A arg, StartOptions options, boolean link) {
        Objects.requireNonNull(impl, "server must not be null");
        return start(options, link, (p, parent, ack) -> new GenServerLoop<>(p, impl, arg, options, parent, ack));
    }

    /** Makes the body of a new server process: its control block, its linked starter or null, its ack. */
    @FunctionalInterface
    interface LoopFactory {
        Runnable loop(Pcb self, Pcb parent, ServerLoop.Ack ack);
    }

    /**
     * Starts a server process (a GenServer or a GenStatem) and waits for its init, as
     * {@code proc_lib:start}: the one start protocol of every behaviour.
     */
    static StartResult start(StartOptions options, boolean link, LoopFactory factory) {
        Objects.requireNonNull(options, "options");
        long initNanos = Proc.toNanos(options.timeout(), "timeout");
        Pcb caller = Pcb.current();
        if (link && caller == null) {
            throw new IllegalStateException("startLink needs a calling process to link to; use start from a plain thread");
        }
        ServerLoop.Ack ack = new ServerLoop.Ack(Thread.currentThread());
        Pcb p;
        if (caller != null) {
            caller.enter();
        }
        try {
            p = Pcb.create(options);
            if (link) {
                p.addOwnLink(caller);
                caller.addOwnLink(p);
            }
            p.start(factory.loop(p, link ? caller : null, ack));
        } finally {
            if (caller != null) {
                caller.leave();
            }
        }
        Object o;
        try {
            // Passing p: if the new process dies without acknowledging (killed during init), its
            // death completes the ack, so the starter never waits for a dead process.
            o = ack.await(p, caller, initNanos);
        } catch (InterruptedException e) {
            // A plain starter gave up: the half-started server must not outlive its start, nor
            // hold its name once the start has returned Failed.
            p.dieAndAwait(Reasons.KILLED);
            Thread.currentThread().interrupt();
            return new StartResult.Failed(ExitReason.of("interrupted"));
        }
        if (o == Completion.PENDING) {
            // init did not finish in time: as proc_lib, unlink (the starter must not die of it),
            // kill the half-started server, and fail once its name is released.
            if (link) {
                caller.enter();
                try {
                    caller.removeLink(p);
                    p.removeLink(caller);
                } finally {
                    caller.leave();
                }
            }
            p.dieAndAwait(Reasons.KILLED);
            return new StartResult.Failed(Reasons.TIMEOUT);
        }
        if (o instanceof StartResult r) {
            return r;
        }
        StartResult intended = ack.intended;
        if (intended != null) {
            return intended;
        }
        return new StartResult.Failed(((Completion.Failed) o).reason());
    }

    static <R> R call(ServerRef server, Object request, Duration timeout) {
        Objects.requireNonNull(request, "request must not be null");
        long nanos = Proc.toNanos(timeout, "timeout");
        From f = send(Pcb.current(), server, request);
        return outcome(f, server, nanos);
    }

    static <R> RequestId<R> sendRequest(ServerRef server, Object request) {
        Objects.requireNonNull(request, "request must not be null");
        return new RequestId<>(send(Pcb.current(), server, request), server);
    }

    private static From send(Pcb self, ServerRef server, Object request) {
        Objects.requireNonNull(server, "server must not be null");
        if (self == null) {
            // A thread that is not a process is counted in its calls: a loop of calls that fail
            // at once (or are answered while it spins) would otherwise never give its carrier away.
            Waiter.forPlainThread().reduce();
        }
        Pcb target = Proc.resolve(server);
        if (target == null || !target.isAlive()) {
            failedCall(self);
            if (target != null && target.lateReason() instanceof ExitReason.NoConnection) {
                throw new NoProcException("no connection: " + server + " is on node " + target.pid.node()
                        + ", which this node is not connected to (call " + request + ")", Reasons.NOCONNECTION, server);
            }
            throw new NoProcException("no process: " + server + " is not alive or not registered (call " + request + ")",
                    Reasons.NOPROC, server);
        }
        if (target == self) {
            failedCall(self);
            throw new CallingSelfException("process " + self.pid + " called itself with " + request,
                    Reasons.CALLING_SELF, server);
        }
        From f = new From(request, target, self, Thread.currentThread());
        Pcb.sendAs(self, target, f);
        return f;
    }

    /**
     * A call that fails before it is sent reaches nobody, but it is still an operation: it counts
     * for the caller's slice, and a killed process's code must not go on past it.
     */
    private static void failedCall(Pcb self) {
        if (self != null) {
            if (self.exitReason != null) {
                throw ProcessExit.INSTANCE;
            }
            self.reduce();
        }
    }

    @SuppressWarnings("unchecked")
    static <R> R outcome(From f, ServerRef server, long nanos) {
        Object o;
        Events.LongCallWait wait = new Events.LongCallWait();
        wait.begin();
        try {
            o = f.await(f.server, f.caller, nanos);
        } catch (InterruptedException e) {
            wait.end();
            if (wait.shouldCommit()) {
                longWait(wait, f, server, nanos, "interrupted");
            }
            Thread.currentThread().interrupt();
            throw new CallInterruptedException("interrupted while calling " + server + " with " + f.request,
                    ExitReason.of("interrupted"), server);
        }
        wait.end();
        if (wait.shouldCommit()) {
            longWait(wait, f, server, nanos, o == Completion.PENDING || o == Completion.CLOSED ? "timeout"
                    : o == Completion.OVERLOADED ? "overloaded" : o instanceof Completion.Failed ? "exited" : "reply");
        }
        if (o == Completion.NULL) {
            return null;
        }
        if (o == Completion.PENDING) {
            throw new CallTimeoutException("no reply from " + server + " within " + Duration.ofNanos(nanos)
                    + " to " + f.request, Reasons.TIMEOUT, server);
        }
        if (o == Completion.OVERLOADED) {
            throw new MailboxFullException(server + "'s mailbox is full: " + f.request + " was not queued",
                    MailboxBounds.MAILBOX_FULL, server);
        }
        if (o == Completion.CLOSED) {
            // A request its waiter already gave up on (a RequestId awaited or polled again).
            throw new CallTimeoutException("request to " + server + " with " + f.request
                    + " was abandoned earlier (timed out or interrupted)", Reasons.TIMEOUT, server);
        }
        if (o instanceof Completion.Failed(ExitReason r)) {
            throw new ServerExitedException(server + " exited with " + r + " before replying to " + f.request, r,
                    server);
        }
        if (o instanceof Sys.Raised(RuntimeException e)) {
            throw e;
        }
        return (R) o;
    }

    private static void longWait(Events.LongCallWait e, From f, ServerRef server, long nanos, String outcome) {
        e.caller = f.caller == null ? "" : f.caller.pid.toString();
        e.server = String.valueOf(server);
        e.requestType = f.request == null ? null : f.request.getClass();
        e.timeout = nanos < 0 ? -1L : java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos);
        e.outcome = outcome;
        e.commit();
    }

    static void stop(ServerRef server, ExitReason reason, Duration timeout) {
        Objects.requireNonNull(reason, "reason must not be null");
        long nanos = Proc.toNanos(timeout, "timeout");
        From f = send(Pcb.current(), server, new Sys.Stop(reason));
        Object o;
        try {
            // The loop never replies to a stop: the server's death completes the request.
            o = f.await(f.server, f.caller, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallInterruptedException("interrupted while stopping " + server, ExitReason.of("interrupted"),
                    server);
        }
        if (o == Completion.OVERLOADED) {
            throw new MailboxFullException(server + "'s mailbox is full: the stop request was not queued",
                    MailboxBounds.MAILBOX_FULL, server);
        }
        if (o == Completion.PENDING) {
            throw new CallTimeoutException(server + " did not stop within " + Duration.ofNanos(nanos), Reasons.TIMEOUT,
                    server);
        }
        if (o instanceof Completion.Failed(ExitReason r) && !r.equals(reason)) {
            throw new ServerExitedException(server + " exited with " + r + " instead of " + reason, r, server);
        }
    }
}
