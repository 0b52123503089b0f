package io.otpj.finance.domain;

import io.otpj.finance.money.Money;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A payment transaction, as the payment processor stores it. Immutable.
 *
 * @param id the transaction id, unique (the idempotency key of its storage)
 * @param reference what was paid for (a donation id, an invoice)
 * @param amount how much, positive
 * @param status the gateway's verdict
 * @param gatewayTransactionId the gateway's id for an approved payment; empty otherwise
 * @param createdAt when, in microseconds
 */
public record PaymentTransaction(String id, String reference, Money amount, Status status,
        Optional<String> gatewayTransactionId, Instant createdAt) {

    /** The gateway's verdict on a payment. */
    public enum Status {
        /** Charged. */
        APPROVED,
        /** Refused by the gateway, or failed. */
        DECLINED
    }

    /** @throws IllegalArgumentException for bad ids or a non-positive amount */
    public PaymentTransaction {
        Ids.require(id, "transaction id");
        Ids.require(reference, "transaction reference");
        Objects.requireNonNull(amount, "amount must not be null");
        if (!amount.isPositive()) {
            throw new IllegalArgumentException("transaction amount must be positive, got " + amount);
        }
        Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(gatewayTransactionId, "gatewayTransactionId must not be null");
        gatewayTransactionId.ifPresent(g -> Ids.require(g, "gateway transaction id"));
        createdAt = Objects.requireNonNull(createdAt, "createdAt must not be null").truncatedTo(ChronoUnit.MICROS);
    }

    /** @return an approved transaction with a fresh id, made now */
    public static PaymentTransaction approved(String reference, Money amount, String gatewayTransactionId) {
        return new PaymentTransaction(UUID.randomUUID().toString(), reference, amount, Status.APPROVED,
                Optional.of(gatewayTransactionId), Instant.now());
    }

    /** @return a declined transaction with a fresh id, made now */
    public static PaymentTransaction declined(String reference, Money amount) {
        return new PaymentTransaction(UUID.randomUUID().toString(), reference, amount, Status.DECLINED,
                Optional.empty(), Instant.now());
    }
}
