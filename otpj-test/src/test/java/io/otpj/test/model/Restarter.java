package io.otpj.test.model;

import io.otpj.core.Exit;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * A test fixture standing in for a one_for_one supervisor of one child (the kit's tests cannot
 * use the supervisor module, which uses the kit): it starts the server linked, under a name,
 * and starts it again whenever it exits, retrying a failed start (a process killed during its
 * init) as a supervisor does, here without an intensity limit.
 */
final class Restarter {

    private Restarter() {}

    static ServerRef start(Node node, String name, Supplier<GenServer<Counter.Config, Integer>> server, Counter.Config config) {
        CountDownLatch started = new CountDownLatch(1);
        node.spawn(() -> {
            Proc.trapExit(true);
            Pid child = startUntilOk(server, config, name);
            started.countDown();
            for (;;) {
                // Only the current child's exit restarts: a process killed in a failed start may
                // also have sent one, and restarting on it would start a second child.
                if (Proc.receive() instanceof Exit(Pid from, var _) && from.equals(child)) {
                    child = startUntilOk(server, config, name);
                }
            }
        });
        try {
            started.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return Name.local(name);
    }

    private static Pid startUntilOk(Supplier<GenServer<Counter.Config, Integer>> server, Counter.Config config, String name) {
        for (;;) {
            if (GenServer.startLink(server.get(), config, Name.local(name)) instanceof StartResult.Ok(Pid pid)) {
                return pid;
            }
            config.failedStarts().incrementAndGet();
        }
    }
}
