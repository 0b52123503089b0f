package io.otpj.finance.demo;

import io.otpj.finance.db.Database;
import io.otpj.finance.db.DonationRepository;
import io.otpj.finance.domain.Campaign;
import io.otpj.finance.domain.CampaignStatus;
import io.otpj.finance.domain.DonationRecord;
import io.otpj.finance.domain.DonationStatus;
import io.otpj.finance.money.Money;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --recover}: what a run killed with SIGKILL left behind, settled and proven. A run that
 * ends normally (or on SIGTERM) closes its campaigns; one that was killed leaves them active, with
 * donations possibly still pending. For each such run (or the one named), recovery closes its
 * campaigns through {@link io.otpj.finance.db.CampaignRepository#updateStatus}, which counts every
 * pending donation in the same transaction, and then reconciles the run, per currency:
 * <ul>
 *   <li>every donation in the run's acknowledgement file ({@link AckLog}) is in the database,
 *       {@code PROCESSED}, with the acknowledged amount: nothing acknowledged was lost;</li>
 *   <li>the processed donations equal the campaigns' totals (count and sum): everything stored was
 *       counted once;</li>
 *   <li>donations stored but never acknowledged (the JVM died between a commit and the donor
 *       hearing of it) are reported, not an error: their donors would have sent them again.</li>
 * </ul>
 * No servers are started: recovery works on the database alone, so it also runs while another
 * run is going on (that run's campaigns are active too, so name a run id then).
 */
final class RunRecovery {

    private static final Pattern CAMPAIGN_OF_RUN = Pattern.compile("(run-.+)-c\\d+");

    private RunRecovery() {}

    /** @return the run a demo campaign id belongs to, or empty for a campaign no run made */
    static Optional<String> runOf(String campaignId) {
        Matcher m = CAMPAIGN_OF_RUN.matcher(campaignId);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * @param only a run id, or {@code ""} for every run that left campaigns open
     * @return the exit code: 0 reconciled (or nothing to recover), 1 a mismatch, 2 no such run
     */
    static int recover(Database db, Path dataDir, String only, PrintStream out) throws IOException {
        Map<String, List<Campaign>> runs = new TreeMap<>();
        for (Campaign c : db.campaigns().findAll()) {
            runOf(c.id()).ifPresent(run -> runs.computeIfAbsent(run, k -> new ArrayList<>()).add(c));
        }
        List<String> chosen = new ArrayList<>();
        if (!only.isEmpty()) {
            if (!runs.containsKey(only)) {
                out.println("error: no run " + only + " in the database");
                return 2;
            }
            chosen.add(only);
        } else {
            runs.forEach((run, campaigns) -> {
                if (campaigns.stream().anyMatch(RunRecovery::open)) {
                    chosen.add(run);
                }
            });
        }
        if (chosen.isEmpty()) {
            out.println("nothing to recover: every run closed its campaigns");
            return 0;
        }
        boolean ok = true;
        for (String run : chosen) {
            ok &= recoverRun(db, run, runs.get(run), AckLog.file(dataDir, run), out);
        }
        out.println();
        out.println(ok ? "OK: " + chosen.size() + " run(s) recovered; every acknowledged donation is stored and counted."
                : "MISMATCH: see above.");
        return ok ? 0 : 1;
    }

    private static boolean open(Campaign c) {
        return c.status() == CampaignStatus.ACTIVE || c.status() == CampaignStatus.PAUSED;
    }

    static boolean recoverRun(Database db, String run, List<Campaign> campaigns, Path ackFile, PrintStream out)
            throws IOException {
        int closed = 0;
        for (Campaign c : campaigns) {
            if (open(c)) {
                db.campaigns().updateStatus(c.id(), CampaignStatus.COMPLETED); // counts its pending donations first
                closed++;
            }
        }
        Map<String, AckLog.Ack> acks = AckLog.read(ackFile);
        List<String> problems = new ArrayList<>();
        Map<Currency, Money> ackedSum = new TreeMap<>(RunRecovery::byCode);
        Map<Currency, Long> ackedCount = new TreeMap<>(RunRecovery::byCode);
        for (AckLog.Ack a : acks.values()) {
            ackedSum.merge(a.amount().currency(), a.amount(), Money::plus);
            ackedCount.merge(a.amount().currency(), 1L, Long::sum);
            Optional<DonationRecord> stored = db.donations().find(a.id());
            if (stored.isEmpty()) {
                problems.add("acknowledged donation " + a.id() + " is not in the database");
            } else if (stored.get().status() != DonationStatus.PROCESSED || !stored.get().donation().amount().equals(a.amount())
                    || !stored.get().donation().campaignId().equals(a.campaignId())) {
                problems.add("acknowledged donation " + a.id() + " is stored as " + stored.get().status() + " "
                        + stored.get().donation().amount() + " in " + stored.get().donation().campaignId());
            }
        }
        Map<Currency, Money> persistedSum = new TreeMap<>(RunRecovery::byCode);
        Map<Currency, Long> persistedCount = new TreeMap<>(RunRecovery::byCode);
        Map<Currency, Money> totalSum = new TreeMap<>(RunRecovery::byCode);
        Map<Currency, Long> totalCount = new TreeMap<>(RunRecovery::byCode);
        for (Campaign c : campaigns) {
            DonationRepository.Totals t = db.donations().processedTotals(c.id());
            persistedSum.merge(c.currency(), t.sum(), Money::plus);
            persistedCount.merge(c.currency(), t.count(), Long::sum);
            Campaign row = db.campaigns().find(c.id()).orElseThrow();
            totalSum.merge(c.currency(), row.current(), Money::plus);
            totalCount.merge(c.currency(), row.donationCount(), Long::sum);
            Map<DonationStatus, Long> byStatus = db.donations().countByStatus(c.id());
            if (byStatus.getOrDefault(DonationStatus.PENDING, 0L) > 0) {
                problems.add(c.id() + " still has pending donations: " + byStatus);
            }
        }
        out.println();
        out.printf("Recovery of %s: %d campaign(s) closed now, %d acknowledgements in %s%n", run, closed, acks.size(),
                ackFile);
        String header = String.format(Locale.ROOT, "%-4s %12s %22s %12s %22s %22s %14s  %s", "", "acknowledged", "",
                "persisted", "", "campaign totals (db)", "unacknowledged", "");
        out.println(header);
        out.println("-".repeat(header.length()));
        for (Currency cur : persistedSum.keySet()) {
            Money zero = Money.zero(cur);
            long ac = ackedCount.getOrDefault(cur, 0L), pc = persistedCount.getOrDefault(cur, 0L);
            Money as = ackedSum.getOrDefault(cur, zero), ps = persistedSum.getOrDefault(cur, zero);
            long tc = totalCount.getOrDefault(cur, 0L);
            Money ts = totalSum.getOrDefault(cur, zero);
            boolean counted = pc == tc && ps.equals(ts);
            if (!counted) {
                problems.add(cur + ": persisted " + pc + " / " + ps + " but the campaigns count " + tc + " / " + ts);
            }
            out.printf(Locale.ROOT, "%-4s %,12d %22s %,12d %22s %22s %,14d  %s%n", cur.getCurrencyCode(), ac, plain(as), pc,
                    plain(ps), plain(ts), pc - ac, counted && ac <= pc ? "ok" : "MISMATCH");
        }
        if (!problems.isEmpty()) {
            out.println("MISMATCH in " + run + ":");
            problems.stream().limit(20).forEach(p -> out.println("  " + p));
            if (problems.size() > 20) {
                out.println("  ... and " + (problems.size() - 20) + " more");
            }
        }
        return problems.isEmpty();
    }

    private static int byCode(Currency a, Currency b) {
        return a.getCurrencyCode().compareTo(b.getCurrencyCode());
    }

    private static String plain(Money m) {
        return String.format(Locale.ROOT, "%,." + m.amount().scale() + "f", m.amount());
    }
}
