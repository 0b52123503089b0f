package io.otpj.finance.donation;

import io.otpj.core.Action;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.finance.domain.Donation;
import io.otpj.finance.domain.Ids;
import io.otpj.finance.domain.Rejection;
import io.otpj.finance.money.Money;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The seed's {@code DonationProcessor} (its "State Management" example): a per-campaign server
 * with a structured state (status, pending and processed donations, total, error count,
 * configuration), in memory only.
 *
 * <p>{@link #addDonation} queues a donation and answers ok, as the seed does; a batch
 * ({@link #processBatch}, or automatically when {@code batchSize} donations are pending)
 * validates each pending donation as the seed's {@code validate_donation}: a positive amount in
 * the campaign's currency, for this campaign. Valid ones are processed and added to the total;
 * the others are counted as failed, with the reason. While {@link Status#PAUSED} nothing is
 * processed. The lists of processed and failed donations keep the latest {@code historyLimit}
 * entries (the counters count all).
 *
 * <p>Nothing here is durable: this is the state-management example. The database-backed
 * processor, whose accepted donations survive crashes, is {@link DonationProcessorServer}.
 */
public final class DonationProcessor implements GenServer<DonationProcessor.Config, DonationProcessor.State> {

    /** What the processor is doing. */
    public enum Status {
        /** Waiting for donations or a batch. */
        IDLE,
        /** Processing a batch (seen only from inside the server). */
        PROCESSING,
        /** Not processing until resumed. */
        PAUSED
    }

    /**
     * The processor's configuration (the seed's {@code load_config}).
     *
     * @param campaignId the campaign
     * @param currency the campaign's currency
     * @param batchSize how many pending donations start a batch by themselves, at least 1
     * @param historyLimit how many processed and failed donations are kept for inspection, at least 1
     */
    public record Config(String campaignId, Currency currency, int batchSize, int historyLimit) {
        /** @throws IllegalArgumentException for a bad id or limits below 1 */
        public Config {
            Ids.require(campaignId, "campaign id");
            Objects.requireNonNull(currency, "currency must not be null");
            Money.minorDigits(currency);
            if (batchSize < 1 || historyLimit < 1) {
                throw new IllegalArgumentException("batchSize and historyLimit must be at least 1, got "
                        + batchSize + " and " + historyLimit);
            }
        }

        /** @return the seed's configuration: IDR, batches of 100, the last 1000 kept */
        public static Config of(String campaignId) {
            return new Config(campaignId, Money.currency("IDR"), 100, 1000);
        }

        /** @return this configuration with another currency */
        public Config withCurrency(Currency c) {
            return new Config(campaignId, c, batchSize, historyLimit);
        }

        /** @return this configuration with another batch size */
        public Config withBatchSize(int size) {
            return new Config(campaignId, currency, size, historyLimit);
        }
    }

    /**
     * A snapshot of the processor ({@code get_stats}).
     *
     * @param processedCount donations processed since start
     * @param failedCount donations that failed validation since start
     * @param totalAmount the sum of the processed donations
     * @param errorCount validation failures (the seed's {@code error_count})
     */
    public record Stats(String campaignId, Status status, int pendingCount, long processedCount, long failedCount,
            Money totalAmount, Optional<Instant> lastProcessedAt, long errorCount) {}

    /** What one batch did. */
    public record BatchResult(int processed, int failed) {}

    /** A donation that failed validation, and why. */
    public record Failure(Donation donation, Rejection rejection) {}

    /** The server's state; confined to its process. */
    static final class State {
        final Config config;
        Status status = Status.IDLE;
        final List<Donation> pending = new ArrayList<>();
        final Deque<Donation> processed = new ArrayDeque<>();
        final Deque<Failure> failed = new ArrayDeque<>();
        long processedCount;
        long failedCount;
        Money totalAmount;
        Instant lastProcessedAt;
        long errorCount;

        State(Config config) {
            this.config = config;
            this.totalAmount = Money.zero(config.currency());
        }
    }

    private record AddDonation(Donation donation) {}
    private record ProcessBatch() {}
    private record GetStats() {}
    private record RecentFailures() {}
    private record SetPaused(boolean paused) {}
    private record AutoBatch() {}

    private DonationProcessor() {}

    // ------------------------------------------------------------------ client API

    /** Starts a processor, unlinked. */
    public static StartResult start(Config config) {
        return GenServer.start(new DonationProcessor(), Objects.requireNonNull(config, "config"));
    }

    /** Starts a processor linked to the calling process. */
    public static StartResult startLink(Config config) {
        return GenServer.startLink(new DonationProcessor(), Objects.requireNonNull(config, "config"));
    }

    /** Queues a donation ({@code add_donation}); validated when its batch runs. */
    public static void addDonation(ServerRef processor, Donation donation) {
        GenServer.call(processor, new AddDonation(Objects.requireNonNull(donation, "donation must not be null")));
    }

    /** Processes all pending donations now ({@code process_batch}); does nothing while paused. */
    public static BatchResult processBatch(ServerRef processor) {
        return GenServer.call(processor, new ProcessBatch());
    }

    /** @return the processor's counters ({@code get_stats}) */
    public static Stats getStats(ServerRef processor) {
        return GenServer.call(processor, new GetStats());
    }

    /** @return the latest failures, newest first */
    public static List<Failure> recentFailures(ServerRef processor) {
        return GenServer.call(processor, new RecentFailures());
    }

    /** Pauses processing: donations are still queued. */
    public static void pause(ServerRef processor) {
        GenServer.call(processor, new SetPaused(true));
    }

    /** Resumes processing. */
    public static void resume(ServerRef processor) {
        GenServer.call(processor, new SetPaused(false));
    }

    // ------------------------------------------------------------------ callbacks

    /**
     * OTP's {@code format_status}: crash reports and traces show counts, never a donor. A queued
     * donation shows as {@link Donation#redacted()}.
     */
    @Override
    public GenServer.Status formatStatus(GenServer.Status status) {
        Object state = status.state() instanceof State s
                ? "DonationProcessor[campaign=" + s.config.campaignId() + ", status=" + s.status + ", pending=" + s.pending.size()
                        + ", processed=" + s.processedCount + ", failed=" + s.failedCount + ", total=" + s.totalAmount + "]"
                : status.state();
        Object message = status.message() instanceof AddDonation(Donation d) ? "AddDonation[" + d.redacted() + "]" : status.message();
        return new GenServer.Status(state, message);
    }

    @Override
    public InitResult<State> init(Config config) {
        return ok(new State(config));
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
        return switch (request) {
            case AddDonation(Donation d) -> {
                s.pending.add(d);
                // Reply first; the batch runs right after, before any other message.
                yield reply(null, s, s.pending.size() >= s.config.batchSize() && s.status != Status.PAUSED
                        ? Action.continueWith(new AutoBatch()) : Action.none());
            }
            case ProcessBatch p -> reply(process(s), s);
            case GetStats g -> reply(new Stats(s.config.campaignId(), s.status, s.pending.size(), s.processedCount,
                    s.failedCount, s.totalAmount, Optional.ofNullable(s.lastProcessedAt), s.errorCount), s);
            case RecentFailures r -> reply(List.copyOf(s.failed), s);
            case SetPaused(boolean paused) -> {
                s.status = paused ? Status.PAUSED : Status.IDLE;
                yield reply(null, s);
            }
            default -> GenServer.super.handleCall(request, from, s);
        };
    }

    @Override
    public CastResult<State> handleContinue(Object arg, State s) throws Exception {
        if (arg instanceof AutoBatch) {
            process(s);
            return noreply(s);
        }
        return GenServer.super.handleContinue(arg, s);
    }

    private static BatchResult process(State s) {
        if (s.status == Status.PAUSED || s.pending.isEmpty()) {
            return new BatchResult(0, 0);
        }
        s.status = Status.PROCESSING;
        int ok = 0;
        int bad = 0;
        for (Donation d : s.pending) {
            Optional<Rejection> problem = validate(d, s.config);
            if (problem.isEmpty()) {
                s.totalAmount = s.totalAmount.plus(d.amount());
                s.processedCount++;
                push(s.processed, d, s.config.historyLimit());
                ok++;
            } else {
                s.failedCount++;
                s.errorCount++;
                push(s.failed, new Failure(d, problem.get()), s.config.historyLimit());
                bad++;
            }
        }
        s.pending.clear();
        s.lastProcessedAt = Instant.now();
        s.status = Status.IDLE;
        return new BatchResult(ok, bad);
    }

    static Optional<Rejection> validate(Donation d, Config config) {
        if (!d.campaignId().equals(config.campaignId())) {
            return Optional.of(new Rejection(Rejection.Reason.WRONG_CAMPAIGN,
                    "donation " + d.id() + " is for campaign " + d.campaignId() + ", not " + config.campaignId()));
        }
        return d.checkAmount(config.currency());
    }

    /** Adds to the front of a bounded history, dropping the oldest entry beyond {@code limit}. */
    static <T> void push(Deque<T> history, T item, int limit) {
        history.addFirst(item);
        while (history.size() > limit) {
            history.removeLast();
        }
    }
}
