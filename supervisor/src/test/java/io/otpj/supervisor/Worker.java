package io.otpj.supervisor;

import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.util.concurrent.atomic.AtomicInteger;

/** A configurable test child: records its life in {@link Events}. */
final class Worker implements GenServer<Worker.Config, Worker.Config> {

    /**
     * @param hangInTerminate terminate blocks forever (only a kill ends it)
     * @param failStarts while positive, each start fails (decremented) with {@code injected_start_failure}
     */
    record Config(Object id, Events events, boolean trapExit, boolean hangInTerminate, AtomicInteger failStarts,
            boolean ignore, Name name) {
        Config trapping() {
            return new Config(id, events, true, hangInTerminate, failStarts, ignore, name);
        }
        Config hanging() {
            return new Config(id, events, true, true, failStarts, ignore, name);
        }
        Config ignoring() {
            return new Config(id, events, trapExit, hangInTerminate, failStarts, true, name);
        }
        Config named(Name n) {
            return new Config(id, events, trapExit, hangInTerminate, failStarts, ignore, n);
        }
    }

    static Config config(Object id, Events events) {
        return new Config(id, events, false, false, new AtomicInteger(), false, null);
    }

    record Stop(ExitReason reason) {}
    record WhoAmI() {}
    record UnlinkAll() {}

    static final ExitReason INJECTED = ExitReason.of("injected_start_failure");

    /** The start function: runs in the supervisor, links, records the start. */
    static StartResult start(Config c) {
        if (c.failStarts().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return new StartResult.Failed(INJECTED);
        }
        StartResult r = c.name() == null ? GenServer.startLink(new Worker(), c) : GenServer.startLink(new Worker(), c, c.name());
        if (r instanceof StartResult.Ok(Pid pid)) {
            c.events().started(c.id(), pid);
        }
        return r;
    }

    static ChildSpec spec(Config c) {
        return ChildSpec.worker(c.id(), () -> start(c));
    }

    static ChildSpec spec(Object id, Events events) {
        return spec(config(id, events));
    }

    @Override
    public InitResult<Config> init(Config c) {
        if (c.ignore()) {
            return ignore();
        }
        if (c.trapExit()) {
            Proc.trapExit(true);
        }
        return ok(c);
    }

    @Override
    public CallResult<Config> handleCall(Object request, From from, Config c) throws Exception {
        return switch (request) {
            case WhoAmI w -> reply(Proc.self(), c);
            case UnlinkAll u -> {
                for (Pid p : Proc.info(Proc.self()).orElseThrow().links()) {
                    Proc.unlink(p);
                }
                yield reply(true, c);
            }
            default -> GenServer.super.handleCall(request, from, c);
        };
    }

    @Override
    public CastResult<Config> handleCast(Object request, Config c) throws Exception {
        if (request instanceof Stop(ExitReason reason)) {
            return stop(reason, c);
        }
        return GenServer.super.handleCast(request, c);
    }

    @Override
    public void terminate(ExitReason reason, Config c) {
        c.events().add(new Events.TerminateBegun(c.id(), Proc.self(), reason));
        if (c.hangInTerminate()) {
            Proc.receive(m -> false, Proc.INFINITY);
        }
        c.events().add(new Events.TerminateDone(c.id(), Proc.self(), reason));
    }
}
