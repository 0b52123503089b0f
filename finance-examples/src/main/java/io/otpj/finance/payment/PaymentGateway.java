package io.otpj.finance.payment;

import io.otpj.finance.money.Money;

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
}
