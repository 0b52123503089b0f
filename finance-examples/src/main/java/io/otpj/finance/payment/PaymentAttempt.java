package io.otpj.finance.payment;

import static io.otpj.core.GenStatem.Action.nextEvent;
import static io.otpj.core.GenStatem.Action.stateTimeout;
import static io.otpj.core.GenStatem.Transition.keepStateAndData;
import static io.otpj.core.GenStatem.Transition.nextState;
import static io.otpj.core.GenStatem.Transition.stop;

import io.otpj.core.Exit;
import io.otpj.core.ExitReason;
import io.otpj.core.GenStatem;
import io.otpj.core.GenStatem.Event;
import io.otpj.core.GenStatem.Transition;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.finance.money.Money;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One payment's workflow, a {@link GenStatem} in state_functions mode, started by
 * {@link PaymentGatewayServer} for each payment:
 * <pre>
 *   Pending --approved--> Authorized --booked--> Captured
 *      |  \--declined / gateway error--> Failed
 *      \--state timeout--> TimedOut --(late answer recorded)--> (ends when its worker has)
 * </pre>
 * <ul>
 *   <li><b>Pending</b>: a worker process, linked, asks the provider under the payment's
 *       idempotency key — first what it recorded for the key (a retry of a payment whose answer was
 *       lost gets that outcome, not a second charge), then to charge; a state timeout of
 *       {@code gatewayTimeout} bounds the wait.</li>
 *   <li><b>Authorized</b>: the provider approved the charge; the transition into it inserts the
 *       booking (an internal event, handled before anything queued), so an approval can never be
 *       left unbooked.</li>
 *   <li><b>Captured</b> / <b>Failed</b>: the outcome is reported to the server, which counts it and
 *       answers the caller; the machine ends.</li>
 *   <li><b>TimedOut</b>: the worker is killed (a provider that hangs leaks nothing) and the caller
 *       is told {@code TIMEOUT}, outcome unknown. An answer the worker sent just before the kill
 *       is still handled here: it is passed to the server as a late answer (an approval is
 *       counted and audited there). The machine ends when the worker's exit arrives, after any
 *       message the worker sent (per-pair order).</li>
 * </ul>
 * The hand-written "is it still in flight?" checks of the server are these states: each state
 * handles only the events that mean something in it, and the sealed {@link Stage} lets no
 * transition name any other state. The worker is linked (the machine traps exits), so stopping or
 * killing the machine takes a worker still in the provider with it.
 */
final class PaymentAttempt implements GenStatem.ByState<PaymentAttempt.Args, PaymentAttempt.Stage, PaymentAttempt.Data> {

    private static final Logger LOG = LoggerFactory.getLogger(PaymentAttempt.class);

    /**
     * @param payment the server's number for the payment
     * @param key the payment's idempotency key (the same on every retry of the payment)
     * @param amount what to charge
     * @param gateway the provider
     * @param timeout how long the provider may take
     * @param server who is told the outcome ({@link Settled}) and any late answer ({@link PaymentGatewayServer.Charged})
     */
    record Args(long payment, String key, Money amount, PaymentGateway gateway, Duration timeout, Pid server) {
        Args {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(gateway, "gateway");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(server, "server");
        }
    }

    /** The workflow's data: its arguments and the worker asking the provider. */
    record Data(Args args, Pid worker) {}

    /** What the machine tells its server once the caller's answer is decided. */
    record Settled(long payment, PaymentResult result) {}

    /** The internal event that books an authorized payment. */
    private record Book() {}

    /** The stages of a payment. */
    sealed interface Stage extends GenStatem.State<Stage, Data> {}

    /** The provider has been asked; no answer yet. */
    record Pending() implements Stage {
        @Override
        public Transition<Stage, Data> handle(Event<Stage> event, Data d) {
            return switch (event) {
                case Event.Enter<Stage> e -> keepStateAndData(stateTimeout(d.args().timeout(), "gateway"));
                case Event.Info<Stage>(PaymentGatewayServer.Charged c) when c.payment() == d.args().payment() ->
                    switch (c.result()) {
                        // The booking is inserted here, to run in Authorized right after its enter call.
                        case PaymentResult.Approved(String tx) -> nextState(new Authorized(tx), d, nextEvent(new Book()));
                        case PaymentResult.Failed f -> nextState(new Failed(f), d);
                    };
                case Event.StateTimeout<Stage> t -> nextState(new TimedOut(), d);
                // The worker died without answering (killed from outside): nothing is known.
                case Event.Info<Stage>(Exit(Pid from, ExitReason why)) when from.equals(d.worker()) ->
                    nextState(new Failed(new PaymentResult.Failed(PaymentResult.Reason.GATEWAY_ERROR,
                            "the gateway worker for " + d.args().amount() + " exited with " + why + " without answering")), d);
                default -> keepStateAndData();
            };
        }
    }

    /** The provider approved the charge {@code transactionId}; booking it is the next event. */
    record Authorized(String transactionId) implements Stage {
        @Override
        public Transition<Stage, Data> handle(Event<Stage> event, Data d) {
            return switch (event) {
                case Event.Internal<Stage>(Book b) -> nextState(new Captured(transactionId), d);
                default -> keepStateAndData();
            };
        }
    }

    /** Booked: the server counts it and answers the caller {@code Approved}. */
    record Captured(String transactionId) implements Stage {
        @Override
        public Transition<Stage, Data> handle(Event<Stage> event, Data d) {
            if (event instanceof Event.Enter<Stage>) {
                Proc.send(d.args().server(), new Settled(d.args().payment(), new PaymentResult.Approved(transactionId)));
                return stop(ExitReason.normal(), d);
            }
            return keepStateAndData();
        }
    }

    /** Declined, or the provider failed: the server counts it and answers the caller. */
    record Failed(PaymentResult.Failed result) implements Stage {
        @Override
        public Transition<Stage, Data> handle(Event<Stage> event, Data d) {
            if (event instanceof Event.Enter<Stage>) {
                Proc.send(d.args().server(), new Settled(d.args().payment(), result));
                return stop(ExitReason.normal(), d);
            }
            return keepStateAndData();
        }
    }

    /** No answer in time: the worker is killed, the caller told the outcome is unknown. */
    record TimedOut() implements Stage {
        @Override
        public Transition<Stage, Data> handle(Event<Stage> event, Data d) {
            return switch (event) {
                case Event.Enter<Stage> e -> {
                    Proc.exit(d.worker(), ExitReason.kill());
                    LOG.warn("payment_timeout payment={} amount={} timeout={} outcome=unknown", d.args().payment(),
                            d.args().amount(), d.args().timeout());
                    Proc.send(d.args().server(), new Settled(d.args().payment(), new PaymentResult.Failed(
                            PaymentResult.Reason.TIMEOUT, "the gateway gave no answer within " + d.args().timeout() + " for "
                                    + d.args().amount() + "; outcome unknown: the provider may still charge, reconcile before retrying")));
                    yield keepStateAndData();
                }
                // Sent just before the kill: the server records it (an approval is money taken).
                case Event.Info<Stage>(PaymentGatewayServer.Charged c) -> {
                    Proc.send(d.args().server(), c);
                    yield keepStateAndData();
                }
                case Event.Info<Stage>(Exit(Pid from, ExitReason why)) when from.equals(d.worker()) -> stop(ExitReason.normal(), d);
                default -> keepStateAndData();
            };
        }
    }

    @Override
    public Init<Stage, Data> init(Args a) {
        // Trapping: the worker's exit is an event here, and our death (a kill included) takes it along.
        Proc.trapExit(true);
        Pid self = Proc.self();
        Pid worker = Proc.spawnLink(() -> Proc.send(self, new PaymentGatewayServer.Charged(a.payment(), a.key(), a.amount(),
                PaymentGatewayServer.charge(a.gateway(), a.key(), a.amount()))));
        return Init.ok(new Pending(), new Data(a, worker));
    }

    @Override
    public boolean stateEnter() {
        return true;
    }
}
