package io.otpj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.ServerExitedException;
import org.junit.jupiter.api.Test;

/** Keeps the README's example honest: it uses the public API only, from outside the package. */
class CounterExampleTest {

    @Test
    void readmeExampleRuns() {
        Counter.main(new String[0]);
    }

    @Test
    void castThenCallSeesTheCast() {
        Pid counter = GenServer.start(new Counter(), 10).pid();
        for (int i = 0; i < 100; i++) {
            GenServer.cast(counter, new Counter.Inc(1));
        }
        assertEquals(110, (int) GenServer.call(counter, new Counter.Get()));
        GenServer.stop(counter);
        assertFalse(counter.isAlive());
    }

    @Test
    void unknownCallCrashesTheServerNamingTheRequest() {
        Pid counter = GenServer.start(new Counter(), 0).pid();
        var e = assertThrows(ServerExitedException.class, () -> GenServer.call(counter, "reset"));
        assertFalse(counter.isAlive());
        assert e.getMessage().contains("reset") : e.getMessage();
    }
}
