package io.otpj.supervisor;

import java.time.Duration;

/** Shared instances of the shutdowns without fields. */
final class ShutdownValues {
    static final Shutdown BRUTAL_KILL = new Shutdown.BrutalKill();
    static final Shutdown INFINITY = new Shutdown.Infinity();
    static final Shutdown WORKER_DEFAULT = new Shutdown.Timeout(Duration.ofSeconds(5));

    private ShutdownValues() {}
}
