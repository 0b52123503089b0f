package io.otpj.registry;

import io.otpj.core.CastResult;
import io.otpj.core.Exit;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Proc;

/**
 * The registry's process: a small GenServer that owns one {@link RegistryState} for its
 * lifetime. It handles no requests (reads and writes go straight to the tables); it exists so
 * that a registry is started, named, linked and supervised like any process, and so that its
 * death ends its tables.
 *
 * <p>It traps exits: registered processes are linked to it, and their deaths reach it as
 * {@link Exit} messages, which it drops (their entries were removed by their exit hooks before
 * the link fired). An exit signal from its parent still stops it (the GenServer loop does that).
 */
final class RegistryServer implements GenServer<RegistryState<?, ?>, RegistryState<?, ?>> {

    @Override
    public InitResult<RegistryState<?, ?>> init(RegistryState<?, ?> state) {
        Proc.trapExit(true);
        state.activate(Proc.self());
        return ok(state);
    }

    @Override
    public CastResult<RegistryState<?, ?>> handleInfo(Object message, RegistryState<?, ?> state) throws Exception {
        if (message instanceof Exit) {
            return noreply(state);
        }
        return GenServer.super.handleInfo(message, state);
    }
}
