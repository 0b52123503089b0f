package io.otpj.finance.payment;

import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.Exit;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Proc;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.core.TimerRef;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.PaymentTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's {@code PaymentProcessor}: a write-behind buffer of payment transactions whose
 * {@code terminate} flushes what is pending to the database.
 *
 * <p>{@link #submit} is a cast: a transaction is buffered and stored by the next flush, which
 * happens when {@code flushSize} are pending, every {@code flushInterval}, on {@link #flush},
 * and in {@code terminate}. The server traps exits, so {@code terminate} runs (and flushes) when
 * it is stopped, crashes, or is shut down by its supervisor. As in OTP, it does not run on
 * {@code kill}: transactions submitted since the last flush are then lost, which is why
 * {@code submit} gives no acknowledgement and {@link #flush} exists for callers that need one.
 * Flushing is idempotent (a transaction id is stored once), so a flush repeated after a crash
 * stores no duplicates.
 *
 * <p>The seed checks a connection out of the pool in {@code init} and back in in
 * {@code terminate}. Here the server holds no connection: JDBC runs on database workers (see
 * {@link Database}), which check a connection out per flush, so a killed processor cannot leak
 * one. {@code terminate} cancels the flush timer, as the seed's {@code cancel_all_timers}.
 */
public final class PaymentProcessor implements GenServer<PaymentProcessor.Options, PaymentProcessor.State> {

    private static final Logger LOG = LoggerFactory.getLogger(PaymentProcessor.class);

    /**
     * @param db the database
     * @param flushSize pending transactions that start a flush by themselves, at least 1
     * @param flushInterval the period of the flush timer, positive
     */
    public record Options(Database db, int flushSize, Duration flushInterval) {
        /** @throws IllegalArgumentException for a size below 1 or a non-positive interval */
        public Options {
            Objects.requireNonNull(db, "db must not be null");
            if (flushSize < 1) {
                throw new IllegalArgumentException("flushSize must be at least 1, got " + flushSize);
            }
            Objects.requireNonNull(flushInterval, "flushInterval must not be null");
            if (flushInterval.isNegative() || flushInterval.isZero()) {
                throw new IllegalArgumentException("flushInterval must be positive, got " + flushInterval);
            }
        }

        /** @return flushes of up to 100, every second */
        public static Options of(Database db) {
            return new Options(db, 100, Duration.ofSeconds(1));
        }

        /** @return these options with another flush size */
        public Options withFlushSize(int size) {
            return new Options(db, size, flushInterval);
        }

        /** @return these options with another flush interval */
        public Options withFlushInterval(Duration interval) {
            return new Options(db, flushSize, interval);
        }
    }

    /** The server's state; confined to its process. */
    static final class State {
        final Options options;
        final List<PaymentTransaction> pending = new ArrayList<>();
        TimerRef timer;

        State(Options options) {
            this.options = options;
        }
    }

    private record Submit(PaymentTransaction transaction) {}
    private record Flush() {}
    private record PendingCount() {}
    private record FlushTick() {}

    private static final FlushTick TICK = new FlushTick();

    private PaymentProcessor() {}

    /** Starts a processor, unlinked. */
    public static StartResult start(Options options) {
        return GenServer.start(new PaymentProcessor(), Objects.requireNonNull(options, "options"));
    }

    /** Starts a processor registered under {@code name}, linked to the calling process (a supervisor). */
    public static StartResult startLink(Options options, Name name) {
        return GenServer.startLink(new PaymentProcessor(), Objects.requireNonNull(options, "options"), name);
    }

    /** Buffers a transaction for the next flush; returns at once, with no acknowledgement. */
    public static void submit(ServerRef processor, PaymentTransaction transaction) {
        GenServer.cast(processor, new Submit(Objects.requireNonNull(transaction, "transaction must not be null")));
    }

    /**
     * Stores every transaction submitted before this call (by this caller, or by anyone whose
     * submit arrived first).
     *
     * @return how many were newly stored
     */
    public static int flush(ServerRef processor) {
        return GenServer.call(processor, new Flush(), Duration.ofSeconds(30));
    }

    /** @return how many transactions wait for a flush */
    public static int pendingCount(ServerRef processor) {
        return GenServer.call(processor, new PendingCount());
    }

    @Override
    public InitResult<State> init(Options options) {
        // So that terminate runs, and flushes, when the supervisor shuts us down.
        Proc.trapExit(true);
        State s = new State(options);
        s.timer = Proc.sendAfter(Proc.self(), TICK, options.flushInterval());
        return ok(s);
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
        return switch (request) {
            case Flush f -> reply(flush(s), s);
            case PendingCount p -> reply(s.pending.size(), s);
            default -> GenServer.super.handleCall(request, from, s);
        };
    }

    @Override
    public CastResult<State> handleCast(Object request, State s) throws Exception {
        if (request instanceof Submit(PaymentTransaction t)) {
            s.pending.add(t);
            if (s.pending.size() >= s.options.flushSize()) {
                flush(s);
            }
            return noreply(s);
        }
        return GenServer.super.handleCast(request, s);
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) throws Exception {
        return switch (message) {
            case FlushTick t -> {
                flush(s);
                s.timer = Proc.sendAfter(Proc.self(), TICK, s.options.flushInterval());
                yield noreply(s);
            }
            // A linked process other than our parent exited: nothing of ours depends on it.
            case Exit e -> {
                LOG.info("payment_processor_linked_exit from={} reason={}", e.from(), e.reason());
                yield noreply(s);
            }
            default -> GenServer.super.handleInfo(message, s);
        };
    }

    @Override
    public void terminate(ExitReason reason, State s) {
        LOG.info("payment_processor_terminate reason={} pending={}", reason, s.pending.size());
        flush(s);
        s.timer.cancel();
    }

    private static int flush(State s) {
        if (s.pending.isEmpty()) {
            return 0;
        }
        int stored = s.options.db().transactions().insertAll(s.pending);
        s.pending.clear();
        return stored;
    }
}
