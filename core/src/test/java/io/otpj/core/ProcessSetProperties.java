package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link ProcessSet} against a {@code HashSet} model: after any sequence of adds (of processes not
 * in the set) and removes (in the set or not, twice included), the snapshot holds exactly the
 * model's processes, once each, and the size and emptiness agree. Plus a concurrent case: threads
 * adding and removing their own processes on shared stripes leave exactly the ones they kept.
 */
class ProcessSetProperties {

    /** An operation on process number {@code index}: add it if absent from the model, else remove it. */
    record Op(int index, boolean removeTwice) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        return Arbitraries.integers().between(0, 200).flatMap(i -> Arbitraries.of(true, false).map(b -> new Op(i, b)))
                .list().ofMaxSize(400);
    }

    @Property(tries = 200)
    void theSetIsTheModel(@ForAll("ops") List<Op> ops) {
        ProcessSet set = new ProcessSet();
        Pcb[] pcbs = new Pcb[201];
        for (int i = 0; i < pcbs.length; i++) {
            pcbs[i] = Pcb.create(); // never started: only its set links are used
        }
        Set<Pcb> model = new HashSet<>();
        for (Op op : ops) {
            Pcb p = pcbs[op.index()];
            if (model.add(p)) {
                set.add(p);
            } else {
                model.remove(p);
                set.remove(p);
                if (op.removeTwice()) {
                    set.remove(p); // a second remove changes nothing
                }
            }
            // A remove of a process never added changes nothing either.
            set.remove(pcbs[200]);
            model.remove(pcbs[200]);
        }
        List<Pcb> snap = set.snapshot();
        assertEquals(model.size(), snap.size(), "no process twice");
        assertEquals(model, new HashSet<>(snap));
        assertEquals(model.size(), set.size());
        assertEquals(model.isEmpty(), set.isEmpty());
    }

    @Test
    void concurrentAddsAndRemovesLeaveExactlyTheKeptProcesses() throws InterruptedException {
        ProcessSet set = new ProcessSet();
        int threads = 4, each = 5_000;
        List<Set<Pcb>> kept = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Set<Pcb> mine = new LinkedHashSet<>();
            kept.add(mine);
            Thread.ofPlatform().start(() -> {
                List<Pcb> live = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    Pcb p = Pcb.create();
                    set.add(p);
                    live.add(p);
                    if (i % 3 == 0) {
                        Pcb gone = live.remove(live.size() / 2);
                        set.remove(gone);
                    }
                }
                mine.addAll(live);
                done.countDown();
            });
        }
        assertTrue(done.await(60, TimeUnit.SECONDS), "the threads finished");
        Set<Pcb> expected = new HashSet<>();
        kept.forEach(expected::addAll);
        List<Pcb> snap = set.snapshot();
        assertEquals(expected.size(), snap.size());
        assertEquals(expected, new HashSet<>(snap));
        for (Pcb p : snap) {
            set.remove(p);
        }
        assertTrue(set.isEmpty());
        assertEquals(0, set.size());
    }
}
