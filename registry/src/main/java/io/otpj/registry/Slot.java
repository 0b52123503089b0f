package io.otpj.registry;

import io.otpj.core.Pid;

/**
 * One registration as the tables hold it. Compared by identity: two registrations of the same
 * key by the same process with equal values are still two slots, and removing one never
 * removes the other (a {@code ConcurrentHashMap.remove(key, slot)} is exact).
 *
 * <p>{@link #value} is written only by the owning process ({@link Registry#updateValue}) and
 * read by anyone: volatile, so a reader sees the last value written before its read.
 */
final class Slot<K, V> {

    final K key;
    final Pid pid;
    volatile V value;

    Slot(K key, Pid pid, V value) {
        this.key = key;
        this.pid = pid;
        this.value = value;
    }

    Entry<K, V> entry() {
        return new Entry<>(key, pid, value);
    }

    @Override
    public String toString() {
        return "Slot[" + key + " -> " + pid + "]";
    }
}
