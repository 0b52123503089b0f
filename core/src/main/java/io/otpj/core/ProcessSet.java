package io.otpj.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The set of a node's processes whose threads have started and not ended (hibernated ones
 * included): added to by starters, removed from by owners, listed by {@link Node#list()} and by
 * the node's stop. It replaces a {@code ConcurrentHashMap} key set, which cost a 32-byte node and
 * a table slot per process and, at a million processes, a third of a spawn's time in the
 * contended count, the resizes and the cache misses of a table that size.
 *
 * <p>How: {@value #STRIPES} stripes, each a doubly-linked list threaded through the processes'
 * own {@link PcbRelations#setPrev}/{@link PcbRelations#setNext} fields and guarded by the
 * stripe's monitor. A process goes to the stripe of its pid's id, so processes started one after
 * the other, from any thread, land on different stripes. Adding links at the head, removing
 * unlinks: both O(1), no allocation.
 *
 * <p>Fields: {@code head} and the processes' links are written and read under the stripe's
 * monitor only. {@code size} is written under it and also read without it (volatile), by
 * {@link #isEmpty} and {@link #size}: a sum of the stripes read at slightly different instants.
 *
 * <p>Memory ordering: an {@link #add} followed by a volatile read, against a volatile write
 * followed by {@link #snapshot}, is a Dekker pair: the monitor's exit and enter and the volatile
 * accesses are all synchronization actions, in one total order consistent with each thread's
 * program order, so either the snapshot's lock comes after the add's unlock (and sees the
 * process), or the add's later volatile read comes after the write. {@link Node#admitted} relies
 * on it. Two owners removing the last two processes each write their stripe's {@code size}
 * (volatile) before they read the others' in {@link #isEmpty}, so at least one of them sees the
 * set empty.
 */
final class ProcessSet {

    /** The number of stripes: a power of two. */
    static final int STRIPES = 64;

    private static final class Stripe {
        Pcb head;
        volatile int size;
    }

    private final Stripe[] stripes = new Stripe[STRIPES];

    ProcessSet() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    private Stripe stripeOf(Pcb p) {
        return stripes[(int) p.pid.id() & (STRIPES - 1)];
    }

    /** Adds {@code p}, which must not be in any set. Any thread. */
    void add(Pcb p) {
        Stripe s = stripeOf(p);
        synchronized (s) {
            Pcb h = s.head;
            p.setPrev = null;
            p.setNext = h;
            if (h != null) {
                h.setPrev = p;
            }
            s.head = p;
            s.size = s.size + 1; // volatile store; the only writers hold the monitor
        }
    }

    /** Removes {@code p} if it is in the set; does nothing otherwise. Any thread. */
    void remove(Pcb p) {
        Stripe s = stripeOf(p);
        synchronized (s) {
            Pcb prev = p.setPrev, next = p.setNext;
            if (prev == null && s.head != p) {
                return; // not in the set (never added, or removed already)
            }
            if (prev == null) {
                s.head = next;
            } else {
                prev.setNext = next;
            }
            if (next != null) {
                next.setPrev = prev;
            }
            p.setPrev = null;
            p.setNext = null;
            s.size = s.size - 1;
        }
    }

    /** @return whether the set is empty, as the stripes' volatile sizes say */
    boolean isEmpty() {
        for (Stripe s : stripes) {
            if (s.size != 0) {
                return false;
            }
        }
        return true;
    }

    /** @return the number of processes in the set (a sum read stripe by stripe) */
    int size() {
        int n = 0;
        for (Stripe s : stripes) {
            n += s.size;
        }
        return n;
    }

    /** @return the processes in the set, each stripe read under its monitor */
    List<Pcb> snapshot() {
        List<Pcb> out = new ArrayList<>(size() + 16);
        for (Stripe s : stripes) {
            synchronized (s) {
                for (Pcb p = s.head; p != null; p = p.setNext) {
                    out.add(p);
                }
            }
        }
        return out;
    }
}
