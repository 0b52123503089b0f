package io.otpj.finance.payment;

import io.otpj.finance.money.Money;
import java.util.Optional;

/**
 * A payment provider: the seed's {@code PaymentGatewayBehaviour}, the seam that tests replace
 * with a substitute (as Mox does with a behaviour).
 *
 * <p>{@link PaymentGatewayServer} calls it on a worker process, never on its own, with a
 * deadline; an implementation may block (a remote API), throw (reported as
 * {@link PaymentResult.Reason#GATEWAY_ERROR}) or never return (reported as
 * {@link PaymentResult.Reason#TIMEOUT}, outcome unknown; its worker process is then killed,
 * which interrupts the calling thread). It may be called from several threads at once.
 */
@FunctionalInterface
public interface PaymentGateway {

    /**
     * Charges {@code amount} (the seed's {@code process_payment/1}); always positive here.
     *
     * @return {@link PaymentResult.Approved} with the provider's transaction id, or
     *     {@link PaymentResult.Failed} with {@link PaymentResult.Reason#DECLINED}
     * @throws Exception when the provider fails
     */
    PaymentResult processPayment(Money amount) throws Exception;

    /**
     * Charges {@code amount} under {@code idempotencyKey}: a provider with idempotency keys charges
     * a key at most once and answers a repeat with the first outcome, so a caller told
     * {@code TIMEOUT} (outcome unknown) can retry with the same key without charging twice. The
     * default ignores the key, for a provider without keys; a real provider should implement it.
     *
     * @param idempotencyKey the caller's key for this payment (the same on every retry)
     * @param amount the amount, positive
     * @return as {@link #processPayment(Money)}
     * @throws Exception when the provider fails
     */
    default PaymentResult processPayment(String idempotencyKey, Money amount) throws Exception {
        return processPayment(amount);
    }

    /**
     * What the provider recorded for {@code idempotencyKey}: how a payment whose answer was lost
     * is reconciled before it is retried. The default knows nothing (a provider without keys).
     *
     * @param idempotencyKey the payment's key
     * @return the outcome charged under it, or empty if the provider has none
     * @throws Exception when the provider fails
     */
    default Optional<PaymentResult> outcomeOf(String idempotencyKey) throws Exception {
        return Optional.empty();
    }
}
