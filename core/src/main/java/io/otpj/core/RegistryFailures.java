package io.otpj.core;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a message dropped because a via-name's {@link NameRegistry} threw while resolving the
 * name ({@link GenServer#cast}, {@link Proc#send} and timers to a name return normally then, as
 * Elixir's {@code cast} does). The first failure of each registry class is logged at WARN with
 * its stack; later ones at DEBUG, one line each, so that a cast loop against a broken registry
 * cannot flood the log. Thread-safe: the per-class flag is set once with a CAS.
 */
final class RegistryFailures {

    private static final Logger LOG = LoggerFactory.getLogger("io.otpj.core.NameRegistry");

    /** One flag per registry class: written once (false to true) by the first failure's thread. */
    private static final ClassValue<AtomicBoolean> WARNED = new ClassValue<>() {
        @Override
        protected AtomicBoolean computeValue(Class<?> type) {
            return new AtomicBoolean();
        }
    };

    private RegistryFailures() {}

    static void dropped(ServerRef dest, RuntimeException failure) {
        Class<?> registry = dest instanceof Name.Via v ? v.registry().getClass() : dest.getClass();
        if (WARNED.get(registry).compareAndSet(false, true)) {
            LOG.warn("message_dropped reason=registry_failed dest={} registry={} error={} "
                    + "(further failures of this registry class are logged at DEBUG)",
                    dest, registry.getName(), failure.toString(), failure);
        } else {
            LOG.debug("message_dropped reason=registry_failed dest={} registry={} error={}",
                    dest, registry.getName(), failure.toString());
        }
    }
}
