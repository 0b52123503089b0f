package io.otpj.test.model;

import io.otpj.core.Exit;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * A test fixture standing in for a one_for_one supervisor of one child (the kit's tests cannot
 * use the supervisor module, which uses the kit): it starts the server linked, under a name,
 * and starts it again whenever it exits.
 */
final class Restarter {

    private Restarter() {}

    static ServerRef start(Node node, String name, Supplier<GenServer<Counter.Config, Integer>> server, Counter.Config config) {
        CountDownLatch started = new CountDownLatch(1);
        node.spawn(() -> {
            Proc.trapExit(true);
            GenServer.startLink(server.get(), config, Name.local(name)).pid();
            started.countDown();
            for (;;) {
                if (Proc.receive() instanceof Exit) {
                    GenServer.startLink(server.get(), config, Name.local(name)).pid();
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
}
