package io.otpj.core;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {

    static final class Counter implements GenServer<Integer, Integer> {
        record Inc(int by) {}
        record Get() {}

        @Override public InitResult<Integer> init(Integer start) { return ok(start); }

        @Override public CallResult<Integer> handleCall(Object req, From from, Integer n) throws Exception {
            return switch (req) {
                case Get g -> reply(n, n);
                default -> GenServer.super.handleCall(req, from, n);
            };
        }

        @Override public CastResult<Integer> handleCast(Object req, Integer n) throws Exception {
            return switch (req) {
                case Inc(int by) -> noreply(n + by);
                default -> GenServer.super.handleCast(req, n);
            };
        }
    }

    @Test
    void counter() {
        Pid pid = GenServer.start(new Counter(), 0).pid();
        for (int i = 0; i < 1000; i++) GenServer.cast(pid, new Counter.Inc(1));
        assertEquals(1000, (int) GenServer.call(pid, new Counter.Get()));
        long t0 = System.nanoTime();
        for (int i = 0; i < 200_000; i++) GenServer.call(pid, new Counter.Get());
        System.out.println("call ns " + (System.nanoTime() - t0) / 200_000);
        GenServer.stop(pid);
        assertFalse(pid.isAlive());
        assertThrows(NoProcException.class, () -> GenServer.call(pid, new Counter.Get(), Duration.ofSeconds(1)));
    }
}
