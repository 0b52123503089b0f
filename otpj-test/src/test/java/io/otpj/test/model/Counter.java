package io.otpj.test.model;

import io.otpj.core.CallResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.ServerRef;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small example server for the kit's own tests, with seeded faults: a counter that may also
 * keep its value in a "store" that survives restarts.
 */
final class Counter implements GenServer<Counter.Config, Integer> {

    enum Fault { NONE, OFF_BY_ONE, FORGETS_AFTER_RESTART }

    /**
     * @param initTime how long each init takes (parked, as a server loading state would)
     * @param failedStarts counts starts that failed (a {@link Restarter} counts them)
     */
    record Config(Fault fault, AtomicInteger store, Duration initTime, AtomicInteger failedStarts) {
        Config(Fault fault, AtomicInteger store) {
            this(fault, store, Duration.ZERO, new AtomicInteger());
        }
    }

    record Inc(int by) {}
    record Get() {}
    record Set(int value) {}
    record Reset() {}

    private final Config config;
    private int incs;

    Counter(Config config) {
        this.config = config;
    }

    @Override
    public InitResult<Integer> init(Config c) {
        if (c.initTime().isPositive()) {
            LockSupport.parkNanos(c.initTime().toNanos());
        }
        return ok(c.fault() == Fault.FORGETS_AFTER_RESTART ? 0 : c.store().get());
    }

    @Override
    public CallResult<Integer> handleCall(Object req, From from, Integer n) throws Exception {
        return switch (req) {
            case Inc(int by) -> {
                incs++;
                int next = n + by + (config.fault() == Fault.OFF_BY_ONE && incs == 3 ? 1 : 0);
                config.store().set(next);
                yield reply(next, next);
            }
            case Get g -> reply(n, n);
            case Set(int v) -> {
                config.store().set(v);
                yield reply(v, v);
            }
            case Reset r -> {
                config.store().set(0);
                yield reply(0, 0);
            }
            default -> GenServer.super.handleCall(req, from, n);
        };
    }

    /** A client API with a lost update: read, then write, in two calls. */
    static Object racyInc(ServerRef server, Object req) {
        if (req instanceof Inc(int by)) {
            int v = GenServer.call(server, new Get());
            return GenServer.call(server, new Set(v + by));
        }
        return GenServer.call(server, req);
    }
}
