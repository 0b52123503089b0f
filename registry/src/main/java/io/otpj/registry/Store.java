package io.otpj.registry;

import java.util.List;
import java.util.function.Consumer;

/**
 * The partitioned tables of one registry incarnation. Readers never lock: they read
 * ConcurrentHashMaps (a {@code get} is a volatile read of a bin, an iteration is weakly
 * consistent), so a lookup never waits for a registration and never goes through the
 * registry's process. Writers lock at most one ConcurrentHashMap bin, inside one partition.
 *
 * <p>Entries of dead processes may be present for the instant between the process's death
 * and its exit hook; every read filters them out with {@code Pid.isAlive()}.
 */
abstract sealed class Store<K, V> permits UniqueStore, DuplicateStore {

    /**
     * Inserts {@code s}.
     *
     * @return null when inserted, or the slot of the live process already holding the unique key
     */
    abstract Slot<K, V> insert(Slot<K, V> s);

    /** Removes exactly {@code s} (by identity), if present. Any thread. */
    abstract void remove(Slot<K, V> s);

    /** Adds the live entries under {@code key} to {@code out}. */
    abstract void lookup(K key, List<Entry<K, V>> out);

    /** Visits every slot present, live or not (weakly consistent). */
    abstract void forEach(Consumer<Slot<K, V>> visitor);

    /** @return the number of slots present (includes a dying process's not yet removed) */
    abstract long size();

    abstract void clear();

    /** @return the number of slots in each partition, for tests and diagnostics */
    abstract long[] partitionSizes();

    /**
     * The partition of a hash. The spread keeps the high bits of weak hashCodes (small
     * integers, records of small integers) from all landing in one partition.
     */
    static int index(int hash, int partitions) {
        int h = hash ^ (hash >>> 16);
        h *= 0x9E3779B1;
        return ((h ^ (h >>> 15)) & 0x7fffffff) % partitions;
    }
}
