package io.otpj.test.model;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** The counter's model: its value; what survives a restart depends on {@code persistent}. */
record CounterModel(boolean persistent) implements ServerModel<Integer> {

    @Override
    public Integer initial() {
        return 0;
    }

    @Override
    public Arbitrary<?> requests(Integer n) {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(1, 5).map(Counter.Inc::new),
                Arbitraries.just(new Counter.Get()),
                Arbitraries.just(new Counter.Reset()));
    }

    @Override
    public Expected<Integer> expect(Integer n, Object request) {
        return switch (request) {
            case Counter.Inc(int by) -> Expected.of(n + by, n + by);
            case Counter.Get g -> Expected.of(n, n);
            case Counter.Reset r -> Expected.of(0, 0);
            default -> throw new IllegalArgumentException("not a counter request: " + request);
        };
    }

    @Override
    public Integer afterRestart(Integer n) {
        return persistent ? n : 0;
    }
}
