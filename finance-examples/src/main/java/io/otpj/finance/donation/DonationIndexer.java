package io.otpj.finance.donation;

import io.otpj.core.Action;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.finance.db.Database;
import io.otpj.finance.domain.DonationRecord;
import io.otpj.finance.domain.Ids;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The seed's {@code DonationIndexer}: a searchable index of one campaign's donations whose
 * expensive construction is deferred out of {@code init}.
 *
 * <p>{@code init} returns at once with status {@link Status#INITIALIZING} and
 * {@code continueWith(BuildIndex)}, so {@code start} (and the supervisor starting it) is not
 * held up. The continuation then loads every donation of the campaign from the database and
 * indexes them by id, by donor and by amount. It runs before any message, so every query finds
 * the index {@link Status#READY}. New donations are added with {@link #index}.
 */
public final class DonationIndexer implements GenServer<DonationIndexer.Options, DonationIndexer.State> {

    /** Whether the index is built. */
    public enum Status {
        /** {@code init} returned; the index is being built. */
        INITIALIZING,
        /** The index answers queries. */
        READY
    }

    /**
     * @param db the database
     * @param campaignId the campaign whose donations are indexed
     */
    public record Options(Database db, String campaignId) {
        /** @throws IllegalArgumentException for a bad campaign id */
        public Options {
            Objects.requireNonNull(db, "db must not be null");
            Ids.require(campaignId, "campaign id");
        }
    }

    /** The indexer's state; confined to its process. */
    static final class State {
        final Options options;
        Status status = Status.INITIALIZING;
        final Map<String, DonationRecord> byId = new HashMap<>();
        final Map<String, List<DonationRecord>> byDonor = new HashMap<>();
        final TreeMap<BigDecimal, List<DonationRecord>> byAmount = new TreeMap<>();

        State(Options options) {
            this.options = options;
        }

        void add(DonationRecord r) {
            DonationRecord old = byId.put(r.donation().id(), r);
            if (old != null) {
                byDonor.get(old.donation().donorId()).remove(old);
                byAmount.get(old.donation().amount().amount()).remove(old);
            }
            byDonor.computeIfAbsent(r.donation().donorId(), k -> new ArrayList<>()).add(r);
            byAmount.computeIfAbsent(r.donation().amount().amount(), k -> new ArrayList<>()).add(r);
        }
    }

    private record BuildIndex() {}
    private record GetStatus() {}
    private record Find(String donationId) {}
    private record ByDonor(String donorId) {}
    private record Largest(int n) {}
    private record Size() {}
    private record Index(DonationRecord record) {}

    private DonationIndexer() {}

    /** Starts an indexer, unlinked; returns before the index is built. */
    public static StartResult start(Options options) {
        return GenServer.start(new DonationIndexer(), Objects.requireNonNull(options, "options"));
    }

    /** Starts an indexer registered under {@code name}, linked to the calling process. */
    public static StartResult startLink(Options options, Name name) {
        return GenServer.startLink(new DonationIndexer(), Objects.requireNonNull(options, "options"), name);
    }

    /** @return whether the index is built (always {@code READY} once a call is answered) */
    public static Status status(ServerRef indexer) {
        return GenServer.call(indexer, new GetStatus());
    }

    /** @return the donation with this id */
    public static Optional<DonationRecord> find(ServerRef indexer, String donationId) {
        return GenServer.call(indexer, new Find(Objects.requireNonNull(donationId, "donationId")));
    }

    /** @return the donor's donations, oldest first */
    public static List<DonationRecord> byDonor(ServerRef indexer, String donorId) {
        return GenServer.call(indexer, new ByDonor(Objects.requireNonNull(donorId, "donorId")));
    }

    /** @return the {@code n} largest donations, largest first */
    public static List<DonationRecord> largest(ServerRef indexer, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative, got " + n);
        }
        return GenServer.call(indexer, new Largest(n));
    }

    /** @return how many donations are indexed */
    public static int size(ServerRef indexer) {
        return GenServer.call(indexer, new Size());
    }

    /** Adds (or updates) a donation in the index, asynchronously. */
    public static void index(ServerRef indexer, DonationRecord record) {
        GenServer.cast(indexer, new Index(Objects.requireNonNull(record, "record")));
    }

    @Override
    public InitResult<State> init(Options options) {
        // Quick: the expensive part runs in handleContinue, after start has returned.
        return ok(new State(options), Action.continueWith(new BuildIndex()));
    }

    @Override
    public CastResult<State> handleContinue(Object arg, State s) throws Exception {
        if (arg instanceof BuildIndex) {
            for (DonationRecord r : s.options.db().donations().findByCampaign(s.options.campaignId())) {
                s.add(r);
            }
            s.status = Status.READY;
            return noreply(s);
        }
        return GenServer.super.handleContinue(arg, s);
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
        return switch (request) {
            case GetStatus g -> reply(s.status, s);
            case Find(String id) -> reply(Optional.ofNullable(s.byId.get(id)), s);
            case ByDonor(String donor) -> reply(List.copyOf(s.byDonor.getOrDefault(donor, List.of())), s);
            case Largest(int n) -> {
                List<DonationRecord> out = new ArrayList<>(n);
                for (List<DonationRecord> same : s.byAmount.descendingMap().values()) {
                    for (DonationRecord r : same.stream().sorted(Comparator.comparing(r -> r.donation().createdAt())).toList()) {
                        if (out.size() == n) {
                            break;
                        }
                        out.add(r);
                    }
                }
                yield reply(List.copyOf(out), s);
            }
            case Size z -> reply(s.byId.size(), s);
            default -> GenServer.super.handleCall(request, from, s);
        };
    }

    @Override
    public CastResult<State> handleCast(Object request, State s) throws Exception {
        if (request instanceof Index(DonationRecord r)) {
            if (!r.donation().campaignId().equals(s.options.campaignId())) {
                throw new IllegalArgumentException("donation " + r.donation().id() + " is for campaign "
                        + r.donation().campaignId() + ", not " + s.options.campaignId());
            }
            s.add(r);
            return noreply(s);
        }
        return GenServer.super.handleCast(request, s);
    }
}
