package io.otpj.finance.payment;

import io.otpj.finance.money.Money;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default gateway: a simulation of a provider, like the seed's {@code charge_customer} that
 * answers {@code {:ok, UUID.uuid4()}}. It approves every payment with a random transaction id,
 * optionally after a latency and declining a fraction of payments, drawn from a seeded random
 * generator. It honours idempotency keys as a real provider does: the outcome of a key is recorded
 * when it is decided, before it is answered (so a caller that timed out can find it with
 * {@link #outcomeOf}), and a repeat of the key gets that outcome without a second charge.
 * Thread-safe.
 */
public final class SimulatedPaymentGateway implements PaymentGateway {

    private final double declineRate;
    private final Duration latency;
    private final SplittableRandom random;
    /** Outcomes by idempotency key; the first decided for a key wins. */
    private final ConcurrentHashMap<String, PaymentResult> outcomes = new ConcurrentHashMap<>();

    private SimulatedPaymentGateway(double declineRate, Duration latency, long seed) {
        if (!(declineRate >= 0 && declineRate <= 1)) {
            throw new IllegalArgumentException("declineRate must be between 0 and 1, got " + declineRate);
        }
        Objects.requireNonNull(latency, "latency must not be null");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, got " + latency);
        }
        this.declineRate = declineRate;
        this.latency = latency;
        this.random = new SplittableRandom(seed);
    }

    /** @return a gateway that approves everything at once */
    public static SimulatedPaymentGateway approvingAll() {
        return new SimulatedPaymentGateway(0, Duration.ZERO, 0);
    }

    /**
     * @param declineRate the fraction of payments declined, 0 to 1
     * @param latency how long each payment takes
     * @param seed the seed of the decisions
     * @return a gateway that declines about {@code declineRate} of the payments
     */
    public static SimulatedPaymentGateway of(double declineRate, Duration latency, long seed) {
        return new SimulatedPaymentGateway(declineRate, latency, seed);
    }

    @Override
    public PaymentResult processPayment(String idempotencyKey, Money amount) throws InterruptedException {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey must not be null");
        PaymentResult known = outcomes.get(idempotencyKey);
        if (known != null) {
            return known;
        }
        PaymentResult decided = processPayment(amount);
        PaymentResult first = outcomes.putIfAbsent(idempotencyKey, decided);
        return first != null ? first : decided;
    }

    @Override
    public Optional<PaymentResult> outcomeOf(String idempotencyKey) {
        return Optional.ofNullable(outcomes.get(Objects.requireNonNull(idempotencyKey, "idempotencyKey must not be null")));
    }

    @Override
    public PaymentResult processPayment(Money amount) throws InterruptedException {
        if (!latency.isZero()) {
            Thread.sleep(latency);
        }
        boolean decline;
        synchronized (random) {
            decline = declineRate > 0 && random.nextDouble() < declineRate;
        }
        return decline ? PaymentResult.declined("simulated decline of " + amount)
                : PaymentResult.approved(UUID.randomUUID().toString());
    }
}
