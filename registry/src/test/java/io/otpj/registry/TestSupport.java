package io.otpj.registry;

import io.otpj.test.TestKit;
import io.otpj.core.Down;
import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

final class TestSupport {

    private static final AtomicInteger NAMES = new AtomicInteger();

    private TestSupport() {}

    /** A registry name no other test uses. */
    static String freshName(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    /**
     * Runs {@code fn} in a fresh process and returns once that process is dead (its exit hooks
     * have run, so whatever it registered is gone); rethrows what {@code fn} threw.
     */
    static <T> T inProcess(Callable<T> fn) {
        return TestKit.inProcess(fn, Duration.ofSeconds(30));
    }

    /** Stops the registry's process if it runs. */
    static void stopQuietly(Registry<?, ?> registry) {
        Registry.named(registry.name()).ifPresent(r -> {
            try {
                GenServer.stop(r.pid());
            } catch (RuntimeException ignored) {
                // already stopping
            }
        });
    }

    static void killAll(List<Pid> pids) {
        for (Pid p : pids) {
            Proc.exit(p, io.otpj.core.ExitReason.kill());
        }
    }

    /**
     * The number of exit hooks core holds for {@code pid}. Reads a core internal by reflection
     * (tests run on the class path): the only way to check "one hook per (registry, pid)".
     */
    static int exitHookCount(Pid pid) {
        try {
            Field pcbField = Pid.class.getDeclaredField("pcb");
            pcbField.setAccessible(true);
            Object pcb = pcbField.get(pid);
            Field hooks = null;
            for (Class<?> c = pcb.getClass(); hooks == null && c != null; c = c.getSuperclass()) {
                try {
                    hooks = c.getDeclaredField("exitHooks");
                } catch (NoSuchFieldException notHere) {
                    // declared in a superclass: the control block is split by writer
                }
            }
            if (hooks == null) {
                throw new NoSuchFieldException("exitHooks");
            }
            hooks.setAccessible(true);
            synchronized (pcb) {
                List<?> list = (List<?>) hooks.get(pcb);
                return list == null ? 0 : list.size();
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("core internals changed: cannot read exit hooks", e);
        }
    }
}
