package io.otpj.finance.db;

import io.otpj.finance.domain.Campaign;
import io.otpj.finance.money.Money;

/**
 * The JVM that {@code DurabilityTest} kills with SIGKILL: opens {@code args[0]}, creates
 * {@code args[1]} campaigns with ids {@code args[2]-0..}, printing "committed N" after each
 * commit, then records as many donations to the first through the group commit, printing
 * "recorded N" as each is acknowledged, then blocks on standard input until it is killed.
 */
public final class DurableWriterMain {

    private DurableWriterMain() {}

    public static void main(String[] args) throws java.io.IOException {
        Database db = Database.open(args[0]);
        int n = Integer.parseInt(args[1]);
        for (int i = 0; i < n; i++) {
            db.campaigns().create(Campaign.create(args[2] + "-" + i, "durability", Money.of(1_000, "USD")));
            System.out.println("committed " + (i + 1));
        }
        // Then as many donations through the group commit, all in flight at once, each reported
        // once its future (completed after the commit that holds it) is done.
        Campaign first = db.campaigns().find(args[2] + "-0").orElseThrow();
        var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<?>>();
        for (int i = 0; i < n; i++) {
            futures.add(db.campaigns().recordDonationAsync(
                    io.otpj.finance.domain.Donation.of(first.id(), "donor-" + i, Money.of(1, "USD"))));
        }
        for (int i = 0; i < n; i++) {
            futures.get(i).join();
            System.out.println("recorded " + (i + 1));
        }
        System.out.flush();
        // Wait to be killed: block on standard input, which the test never closes before the kill.
        while (System.in.read() >= 0) {
            // keep waiting
        }
    }
}
