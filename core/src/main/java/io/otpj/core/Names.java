package io.otpj.core;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's table of local names, one per {@link Node}. A process holds at most one local name;
 * a name maps to at most one live process. Lookups are lock-free reads of a ConcurrentHashMap.
 */
final class Names {

    private final ConcurrentHashMap<Object, Pcb> table = new ConcurrentHashMap<>();

    /**
     * Registers {@code p} under {@code name}.
     *
     * @return null on success, or the live process already holding the name
     * @throws IllegalArgumentException if {@code p} is dead or already has a name
     */
    Pcb register(Object name, Pcb p) {
        synchronized (p) {
            // Holding p's lock orders us against p.die, which takes it to read localName: either
            // we see p dead here, or die sees the name we set and releases it.
            if (p.decidedReason != null) {
                throw new IllegalArgumentException("cannot register " + name + ": process " + p.pid + " is not alive");
            }
            if (p.localName != null) {
                throw new IllegalArgumentException(
                        "cannot register " + name + ": process " + p.pid + " is already registered as " + p.localName);
            }
            for (;;) {
                Pcb prev = table.putIfAbsent(name, p);
                if (prev == null) {
                    p.localName = name;
                    return null;
                }
                if (prev.isAlive()) {
                    return prev;
                }
                // The holder is dying and has not released yet: it is dead to everyone, so the
                // name is free.
                if (table.replace(name, prev, p)) {
                    p.localName = name;
                    return null;
                }
            }
        }
    }

    void release(Object name, Pcb p) {
        table.remove(name, p);
    }

    /** @return whether {@code name} was registered (and is now free) */
    boolean unregister(Object name) {
        Pcb p = table.get(name);
        if (p == null) {
            return false;
        }
        synchronized (p) {
            if (name.equals(p.localName)) {
                p.localName = null;
            }
        }
        return table.remove(name, p);
    }

    Pcb whereis(Object name) {
        Pcb p = table.get(name);
        return p != null && p.isAlive() ? p : null;
    }
}
