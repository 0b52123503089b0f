package io.otpj.finance.payment;

import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.GenStatem;
import io.otpj.core.InitResult;
import io.otpj.core.MonitorRef;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.PaymentTransaction;
import io.otpj.finance.money.Money;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Currency;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's {@code PaymentGateway} server: payments by {@link #processPayment call} (30 s
 * timeout), the audit log by {@link #logTransaction cast}, over a {@link PaymentGateway}
 * implementation that tests can substitute.
 *
 * <h2>Timeouts</h2>
 * The seed charges inside {@code handle_call}; then a slow provider blocks the server and a
 * caller whose 30 s call times out may still be charged afterwards, unknown to it. Here each
 * payment is a {@link PaymentAttempt}, a state machine (pending, authorized, captured, failed,
 * timed out) with its own worker process asking the provider (the seed's "request-reply with
 * timeout" pattern): the server stays responsive, payments proceed concurrently, and a payment
 * that has no answer within {@code gatewayTimeout} (25 s by default, inside the caller's 30 s) is
 * answered {@link PaymentResult.Reason#TIMEOUT} and its worker is killed, so a hanging provider
 * leaks no process. The server counts each outcome and answers the caller; the workflow's rules
 * live in the machine's states. A timeout does not mean nothing was charged: the outcome is unknown (the provider may
 * have received the request and may still charge), so the caller must reconcile before retrying.
 * An approval that still reaches the server after the timeout (sent just before the kill) is
 * not dropped: it is counted in {@link Stats#approved()} and the totals, written to the audit log
 * and, with {@link Options#withDatabase}, stored in the transactions table, with the payment's
 * idempotency key as its reference, with a warning in the log. A caller told {@code TIMEOUT}
 * retries with the same key ({@link #processPayment(ServerRef, String, Money)}): the provider is
 * asked first what it recorded for the key, so nothing is charged twice.
 *
 * <h2>Bad input</h2>
 * A non-positive amount is answered {@link PaymentResult.Reason#INVALID_AMOUNT} without asking
 * the gateway. A gateway that throws or returns null is answered
 * {@link PaymentResult.Reason#GATEWAY_ERROR}. Failures change no state.
 *
 * <p>The audit log keeps the latest {@code auditLogLimit} transactions (the seed's bounded
 * history); totals are kept per currency.
 */
public final class PaymentGatewayServer implements GenServer<PaymentGatewayServer.Options, PaymentGatewayServer.State> {

    private static final Logger LOG = LoggerFactory.getLogger(PaymentGatewayServer.class);

    /** The caller's timeout of {@link #processPayment}, as in the seed. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param gateway the provider
     * @param gatewayTimeout how long a payment may take before it is answered TIMEOUT; positive and less than 30 s
     * @param auditLogLimit how many transactions the audit log keeps, at least 1
     * @param db where late approvals are stored for good (the audit log in memory is bounded), or
     *     empty to keep them in the audit log only
     */
    public record Options(PaymentGateway gateway, Duration gatewayTimeout, int auditLogLimit, Optional<Database> db) {
        /** @throws IllegalArgumentException for a timeout outside (0, 30 s) or a limit below 1 */
        public Options {
            Objects.requireNonNull(gateway, "gateway must not be null");
            Objects.requireNonNull(gatewayTimeout, "gatewayTimeout must not be null");
            if (gatewayTimeout.isNegative() || gatewayTimeout.isZero() || gatewayTimeout.compareTo(CALL_TIMEOUT) >= 0) {
                throw new IllegalArgumentException("gatewayTimeout must be positive and less than the 30 s call timeout, got "
                        + gatewayTimeout);
            }
            if (auditLogLimit < 1) {
                throw new IllegalArgumentException("auditLogLimit must be at least 1, got " + auditLogLimit);
            }
            Objects.requireNonNull(db, "db must not be null (use Optional.empty())");
        }

        /** @return options for {@code gateway}: 25 s per payment, an audit log of 1000, no database */
        public static Options of(PaymentGateway gateway) {
            return new Options(gateway, Duration.ofSeconds(25), 1000, Optional.empty());
        }

        /** @return these options with another gateway timeout */
        public Options withGatewayTimeout(Duration timeout) {
            return new Options(gateway, timeout, auditLogLimit, db);
        }

        /** @return these options storing late approvals in {@code database} */
        public Options withDatabase(Database database) {
            return new Options(gateway, gatewayTimeout, auditLogLimit, Optional.of(database));
        }

        /** @return these options with another audit log size */
        public Options withAuditLogLimit(int limit) {
            return new Options(gateway, gatewayTimeout, limit, db);
        }
    }

    /**
     * A snapshot of the server.
     *
     * @param approved payments approved, including late approvals of payments already answered
     *     {@code TIMEOUT} (those count in {@code failed} too: what the caller was told)
     * @param failed payments answered failed (declined, gateway error, timeout, invalid amount)
     * @param inFlight payments waiting for the gateway
     * @param lastTransaction the gateway id of the last approved payment
     * @param totals approved amounts per currency
     * @param auditLogSize entries in the audit log
     */
    public record Stats(long approved, long failed, int inFlight, Optional<String> lastTransaction,
            Map<Currency, Money> totals, int auditLogSize) {}

    /** The server's state; confined to its process. */
    static final class State {
        final Options options;
        final Map<Long, InFlight> inFlight = new HashMap<>();
        final Deque<PaymentTransaction> logs = new ArrayDeque<>();
        final Map<Currency, Money> totals = new TreeMap<>(Comparator.comparing(Currency::getCurrencyCode));
        long nextPayment;
        long approved;
        long failed;
        String lastTransaction;

        State(Options options) {
            this.options = options;
        }
    }

    private record InFlight(From from, Money amount, Pid attempt, MonitorRef watch) {}
    private record Process(String key, Money amount) {}
    private record Log(PaymentTransaction transaction) {}
    private record GetAuditLog() {}
    private record GetStats() {}
    /**
     * A worker's answer to its {@link PaymentAttempt}; one that comes after the timeout is passed
     * on to the server as a late answer. Package-private so tests can play a late one.
     */
    record Charged(long payment, String key, Money amount, PaymentResult result) {}

    private PaymentGatewayServer() {}

    // ------------------------------------------------------------------ client API

    /** Starts a gateway server, unlinked. */
    public static StartResult start(Options options) {
        return GenServer.start(new PaymentGatewayServer(), Objects.requireNonNull(options, "options"));
    }

    /** Starts a gateway server, unlinked, registered under {@code name}. */
    public static StartResult start(Options options, Name name) {
        return GenServer.start(new PaymentGatewayServer(), Objects.requireNonNull(options, "options"), name);
    }

    /** Starts a gateway server registered under {@code name}, linked to the calling process. */
    public static StartResult startLink(Options options, Name name) {
        return GenServer.startLink(new PaymentGatewayServer(), Objects.requireNonNull(options, "options"), name);
    }

    /**
     * Charges {@code amount} ({@code process_payment}), waiting up to 30 s.
     *
     * @return approved with the gateway's transaction id, or failed with the reason; a
     *     {@code TIMEOUT} means the outcome is unknown (see {@link PaymentResult.Reason#TIMEOUT})
     * @throws io.otpj.core.CallException if the server is not running or crashed
     */
    public static PaymentResult processPayment(ServerRef gateway, Money amount) {
        return processPayment(gateway, java.util.UUID.randomUUID().toString(), amount);
    }

    /**
     * Charges {@code amount} under {@code idempotencyKey}, waiting up to 30 s. After a
     * {@code TIMEOUT} (outcome unknown), call again with the <em>same</em> key: the provider is
     * first asked what it recorded for the key, so a charge that did happen is answered as such and
     * never made twice.
     *
     * @param gateway the server
     * @param idempotencyKey the caller's key for this payment, e.g. the donation id
     * @param amount the amount
     * @return approved with the gateway's transaction id, or failed with the reason
     * @throws IllegalArgumentException for a bad key
     * @throws io.otpj.core.CallException if the server is not running or crashed
     */
    public static PaymentResult processPayment(ServerRef gateway, String idempotencyKey, Money amount) {
        io.otpj.finance.domain.Ids.require(idempotencyKey, "idempotency key");
        return GenServer.call(gateway, new Process(idempotencyKey, Objects.requireNonNull(amount, "amount must not be null")),
                CALL_TIMEOUT);
    }

    /** Adds a transaction to the audit log ({@code log_transaction}); returns at once. */
    public static void logTransaction(ServerRef gateway, PaymentTransaction transaction) {
        GenServer.cast(gateway, new Log(Objects.requireNonNull(transaction, "transaction must not be null")));
    }

    /** @return the audit log, newest first */
    public static List<PaymentTransaction> auditLog(ServerRef gateway) {
        return GenServer.call(gateway, new GetAuditLog());
    }

    /** @return the server's counters */
    public static Stats stats(ServerRef gateway) {
        return GenServer.call(gateway, new GetStats());
    }

    // ------------------------------------------------------------------ callbacks

    @Override
    public InitResult<State> init(Options options) {
        return ok(new State(options));
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
        return switch (request) {
            case Process(String key, Money amount) -> {
                if (!amount.isPositive()) {
                    s.failed++;
                    yield reply(new PaymentResult.Failed(PaymentResult.Reason.INVALID_AMOUNT,
                            "payment amount must be positive, got " + amount), s);
                }
                long payment = s.nextPayment++;
                // Not linked: a payment never takes the server down; monitored, so a crashed
                // workflow still gets its caller an answer.
                StartResult started = GenStatem.start(new PaymentAttempt(),
                        new PaymentAttempt.Args(payment, key, amount, s.options.gateway(), s.options.gatewayTimeout(), Proc.self()));
                if (!(started instanceof StartResult.Ok(Pid attempt))) {
                    s.failed++;
                    yield reply(new PaymentResult.Failed(PaymentResult.Reason.GATEWAY_ERROR,
                            "the payment workflow for " + amount + " did not start: " + started), s);
                }
                s.inFlight.put(payment, new InFlight(from, amount, attempt, Proc.monitor(attempt)));
                yield noreply(s);
            }
            case GetAuditLog g -> reply(List.copyOf(s.logs), s);
            case GetStats g -> reply(new Stats(s.approved, s.failed, s.inFlight.size(), Optional.ofNullable(s.lastTransaction),
                    Map.copyOf(s.totals), s.logs.size()), s);
            default -> GenServer.super.handleCall(request, from, s);
        };
    }

    @Override
    public CastResult<State> handleCast(Object request, State s) throws Exception {
        if (request instanceof Log(PaymentTransaction t)) {
            audit(s, t);
            return noreply(s);
        }
        return GenServer.super.handleCast(request, s);
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) throws Exception {
        return switch (message) {
            case PaymentAttempt.Settled(long payment, PaymentResult result) -> {
                InFlight f = s.inFlight.remove(payment);
                if (f != null) {
                    Proc.demonitor(f.watch(), true);
                    settle(f, result, s);
                }
                yield noreply(s);
            }
            case Charged(long payment, String key, Money amount, PaymentResult result) -> {
                if (s.inFlight.containsKey(payment)) {
                    // Only a workflow answers for a payment in flight; this is no late answer.
                    LOG.warn("payment_unexpected_answer payment={} result={} detail=ignored: the payment is still in flight",
                            payment, result);
                } else {
                    lateAnswer(payment, key, amount, result, s);
                }
                yield noreply(s);
            }
            case Down(MonitorRef ref, Pid attempt, ExitReason why) -> {
                // A workflow that died before it settled: its caller must still get an answer.
                s.inFlight.values().stream().filter(f -> f.watch().equals(ref)).findFirst().ifPresent(f -> {
                    s.inFlight.values().remove(f);
                    LOG.error("payment_workflow_died attempt={} amount={} reason={}", attempt, f.amount(), why);
                    settle(f, new PaymentResult.Failed(PaymentResult.Reason.GATEWAY_ERROR,
                            "the payment workflow for " + f.amount() + " exited with " + why), s);
                });
                yield noreply(s);
            }
            default -> GenServer.super.handleInfo(message, s);
        };
    }

    @Override
    public void terminate(ExitReason reason, State s) {
        // Each workflow's worker is linked to it, so it goes too.
        for (InFlight f : s.inFlight.values()) {
            Proc.exit(f.attempt(), ExitReason.kill());
        }
    }

    /** Counts the outcome and answers the caller: what the caller is told is what is counted. */
    private static void settle(InFlight f, PaymentResult result, State s) {
        if (result instanceof PaymentResult.Approved(String tx)) {
            s.approved++;
            s.lastTransaction = tx;
            s.totals.merge(f.amount().currency(), f.amount(), Money::plus);
        } else {
            s.failed++;
        }
        f.from().reply(result);
    }

    /**
     * An answer after the caller was told {@code TIMEOUT}. An approval means the provider did
     * charge: it is counted in the stats and written to the audit log (reference
     * the payment's idempotency key, and in the database when there is one) so that reconciliation
     * finds it, never silently dropped.
     */
    private static void lateAnswer(long payment, String key, Money amount, PaymentResult result, State s) {
        if (result instanceof PaymentResult.Approved(String tx)) {
            s.approved++;
            s.lastTransaction = tx;
            s.totals.merge(amount.currency(), amount, Money::plus);
            PaymentTransaction late = PaymentTransaction.approved(key, amount, tx);
            audit(s, late);
            s.options.db().ifPresent(db -> db.transactions().insertAll(List.of(late))); // money taken: kept for good
            LOG.warn("payment_late_approval payment={} amount={} gateway_transaction={} detail=caller was told TIMEOUT; reconcile",
                    payment, amount, tx);
        } else {
            LOG.info("payment_late_answer payment={} amount={} result={} detail=caller was told TIMEOUT; nothing charged",
                    payment, amount, result);
        }
    }

    private static void audit(State s, PaymentTransaction t) {
        s.logs.addFirst(t);
        while (s.logs.size() > s.options.auditLogLimit()) {
            s.logs.removeLast();
        }
    }

    /** Asks the provider, on a worker; never throws: a failure is a {@code GATEWAY_ERROR}. */
    static PaymentResult charge(PaymentGateway gateway, String key, Money amount) {
        try {
            // Reconcile first: a retry of a payment whose answer was lost gets what was charged.
            Optional<PaymentResult> known = gateway.outcomeOf(key);
            if (known != null && known.isPresent()) {
                return known.get();
            }
            PaymentResult r = gateway.processPayment(key, amount);
            if (r == null) {
                return new PaymentResult.Failed(PaymentResult.Reason.GATEWAY_ERROR, "the gateway returned no result for " + amount);
            }
            return r;
        } catch (Exception e) {
            return new PaymentResult.Failed(PaymentResult.Reason.GATEWAY_ERROR, "the gateway failed for " + amount + ": " + e);
        }
    }
}
