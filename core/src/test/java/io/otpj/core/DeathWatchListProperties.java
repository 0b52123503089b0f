package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The intrusive list of a process's death watchers (callers parked on it, monitors, timers)
 * against a sequential model, an insertion-ordered set: any sequence of adds and removes (removing
 * a node twice, or one never added, included) leaves exactly the model's nodes, and the death tells
 * them once each, in the order they were added.
 */
class DeathWatchListProperties {

    /** A watcher that records when it is told. */
    static final class Node extends DeathWatch {
        final int id;
        final List<Integer> told;

        Node(int id, List<Integer> told) {
            this.id = id;
            this.told = told;
        }

        @Override
        void processDied(Pcb process, ExitReason reason) {
            told.add(id);
        }
    }

    /** Non-negative: add node n; negative: remove node -n-1. */
    @Provide
    Arbitrary<List<Integer>> ops() {
        return Arbitraries.integers().between(-12, 11).list().ofMaxSize(60);
    }

    @Property(tries = 300)
    void theListMatchesAnInsertionOrderedSet(@ForAll("ops") List<Integer> ops) {
        Pcb p = Pcb.create(); // never started: only its relations are used
        List<Integer> told = new ArrayList<>();
        Node[] nodes = new Node[12];
        LinkedHashSet<Integer> model = new LinkedHashSet<>();
        for (int op : ops) {
            if (op >= 0) {
                if (nodes[op] == null) {
                    // A node is added once in its life, as every real watcher is.
                    nodes[op] = new Node(op, told);
                    p.addWatch(nodes[op]);
                    model.add(op);
                }
            } else {
                int n = -op - 1;
                if (nodes[n] != null) {
                    p.removeWatch(nodes[n]);
                    model.remove(n);
                } else {
                    p.removeWatch(new Node(n, told)); // never added: must change nothing
                }
            }
        }
        p.die(ExitReason.normal());
        assertEquals(new ArrayList<>(model), told);
    }
}
