package io.otpj.finance.payment;

import static org.junit.jupiter.api.Assertions.fail;

import io.otpj.finance.money.Money;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A substitute {@link PaymentGateway} in the manner of Mox: expectations are declared with
 * {@link #expect}, each consumed by one call in order; a call nobody expected, or with another
 * amount, fails; {@link #verify} (the seed's {@code verify_on_exit!}) fails if an expectation was
 * not met or an unexpected call happened (even one made on another thread).
 */
final class MockPaymentGateway implements PaymentGateway {

    /** What an expected call does. */
    @FunctionalInterface
    interface Behaviour {
        PaymentResult answer(Money amount) throws Exception;
    }

    private record Expectation(Money amount, Behaviour behaviour) {}

    private final Queue<Expectation> expectations = new ConcurrentLinkedQueue<>();
    private final List<String> problems = new ArrayList<>();

    /** Expects one call with exactly {@code amount} (the seed's pinned {@code ^amount}), answered by {@code behaviour}. */
    MockPaymentGateway expect(Money amount, Behaviour behaviour) {
        expectations.add(new Expectation(amount, behaviour));
        return this;
    }

    @Override
    public PaymentResult processPayment(Money amount) throws Exception {
        Expectation e = expectations.poll();
        if (e == null) {
            return problem("unexpected call processPayment(" + amount + ")");
        }
        if (!e.amount().equals(amount)) {
            return problem("processPayment called with " + amount + ", expected " + e.amount());
        }
        return e.behaviour().answer(amount);
    }

    /** Fails unless every expectation was consumed and no unexpected call happened. */
    void verify() {
        synchronized (problems) {
            if (!problems.isEmpty()) {
                fail(String.join("; ", problems));
            }
        }
        if (!expectations.isEmpty()) {
            fail(expectations.size() + " expected call(s) to processPayment never happened: " + expectations);
        }
    }

    private PaymentResult problem(String message) {
        synchronized (problems) {
            problems.add(message);
        }
        throw new AssertionError(message);
    }
}
