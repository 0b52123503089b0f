package io.otpj.finance.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Donation ids are version 7 UUIDs: valid ids, unique, and ordered by the millisecond they were made in. */
class DonationIdTest {

    @Test
    void idsAreVersion7UniqueAndSortByTime() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            long ms = System.currentTimeMillis();
            while (System.currentTimeMillis() == ms) {
                Thread.onSpinWait(); // the next round starts in a later millisecond
            }
            for (int i = 0; i < 1_000; i++) {
                ids.add(Donation.timeOrderedId());
            }
        }
        assertEquals(ids.size(), new HashSet<>(ids).size(), "unique");
        long previousMillis = 0;
        for (String id : ids) {
            UUID u = UUID.fromString(id);
            assertEquals(7, u.version(), id);
            assertEquals(2, u.variant(), id);
            Ids.require(id, "donation id");
            long millis = u.getMostSignificantBits() >>> 16;
            assertTrue(millis >= previousMillis, "time-ordered: " + id);
            previousMillis = millis;
        }
        // Text order follows time order across milliseconds (what an index on the id sees).
        String first = ids.getFirst(), last = ids.getLast();
        assertTrue(first.compareTo(last) < 0, first + " then " + last);
    }
}
