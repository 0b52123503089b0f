package io.otpj.finance.db;

import io.otpj.finance.domain.Campaign;
import io.otpj.finance.money.Money;

/**
 * The JVM that {@code DurabilityTest} kills with SIGKILL: opens {@code args[0]}, creates
 * {@code args[1]} campaigns with ids {@code args[2]-0..}, printing "committed N" after each
 * commit, then blocks on standard input until it is killed.
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
        System.out.flush();
        // Wait to be killed: block on standard input, which the test never closes before the kill.
        while (System.in.read() >= 0) {
            // keep waiting
        }
    }
}
