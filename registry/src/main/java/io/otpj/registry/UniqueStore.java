package io.otpj.registry;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Unique keys, partitioned by the key's hash: each partition is a {@code key -> slot}
 * ConcurrentHashMap, and a key lives in exactly one of them.
 *
 * <p>At most one live owner per key at any instant: a key changes hands only by
 * {@code putIfAbsent} (free key) or {@code replace(key, dead, new)} (the holder is dead, which
 * is final), both atomic on the key's bin. Two racing registrants can never both succeed, and
 * a dead holder whose exit hook has not run yet does not block anyone.
 */
final class UniqueStore<K, V> extends Store<K, V> {

    private final ConcurrentHashMap<K, Slot<K, V>>[] parts;

    @SuppressWarnings({"unchecked", "rawtypes"})
    UniqueStore(int partitions) {
        parts = new ConcurrentHashMap[partitions];
        for (int i = 0; i < partitions; i++) {
            parts[i] = new ConcurrentHashMap<>();
        }
    }

    private ConcurrentHashMap<K, Slot<K, V>> part(Object key) {
        return parts[index(key.hashCode(), parts.length)];
    }

    @Override
    Slot<K, V> insert(Slot<K, V> s) {
        ConcurrentHashMap<K, Slot<K, V>> m = part(s.key);
        for (;;) {
            Slot<K, V> prev = m.putIfAbsent(s.key, s);
            if (prev == null) {
                return null;
            }
            if (prev.pid.isAlive()) {
                return prev;
            }
            // The holder is dead (its exit hook has not removed it yet): the key is free. If
            // the replace fails, someone else changed the key first; look again.
            if (m.replace(s.key, prev, s)) {
                return null;
            }
        }
    }

    @Override
    void remove(Slot<K, V> s) {
        part(s.key).remove(s.key, s);
    }

    /** @return the slot under {@code key}, live or not, or null */
    Slot<K, V> get(Object key) {
        return part(key).get(key);
    }

    @Override
    void lookup(K key, List<Entry<K, V>> out) {
        Slot<K, V> s = get(key);
        if (s != null && s.pid.isAlive()) {
            out.add(s.entry());
        }
    }

    @Override
    void forEach(Consumer<Slot<K, V>> visitor) {
        for (ConcurrentHashMap<K, Slot<K, V>> m : parts) {
            m.values().forEach(visitor);
        }
    }

    @Override
    long size() {
        long n = 0;
        for (ConcurrentHashMap<K, Slot<K, V>> m : parts) {
            n += m.mappingCount();
        }
        return n;
    }

    @Override
    long[] partitionSizes() {
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parts[i].mappingCount();
        }
        return out;
    }

    @Override
    void clear() {
        for (ConcurrentHashMap<K, Slot<K, V>> m : parts) {
            m.clear();
        }
    }
}
