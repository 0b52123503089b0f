package io.otpj.finance.payment;

import io.otpj.finance.domain.Ids;
import java.util.Objects;

/**
 * The outcome of a payment: the seed's {@code {:ok, tx_id} | {:error, reason}}.
 */
public sealed interface PaymentResult {

    /** The amount was charged; {@code transactionId} is the gateway's reference. */
    record Approved(String transactionId) implements PaymentResult {
        /** @throws IllegalArgumentException for a bad id */
        public Approved {
            Ids.require(transactionId, "gateway transaction id");
        }
    }

    /**
     * The payment did not succeed, for {@code reason}, explained by {@code message}. For every
     * reason but {@link Reason#TIMEOUT} nothing was charged; after a timeout the outcome is unknown.
     */
    record Failed(Reason reason, String message) implements PaymentResult {
        /** @throws NullPointerException for null parts */
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Why a payment failed. */
    enum Reason {
        /** The amount was zero or negative; the gateway was not asked. */
        INVALID_AMOUNT,
        /** The gateway refused the payment. */
        DECLINED,
        /** The gateway failed (threw, or answered nonsense). */
        GATEWAY_ERROR,
        /**
         * The gateway did not answer in time. Outcome unknown: the provider may still charge;
         * reconcile before retrying. A late approval is recorded in the gateway server's audit
         * log and stats.
         */
        TIMEOUT
    }

    /** @return an approval */
    static PaymentResult approved(String transactionId) {
        return new Approved(transactionId);
    }

    /** @return a refusal by the gateway */
    static PaymentResult declined(String message) {
        return new Failed(Reason.DECLINED, message);
    }
}
