package io.otpj.registry;

import io.otpj.core.Pid;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Duplicate keys, partitioned by the registering process, as Elixir does: all entries of one
 * process live in one partition, and each partition maps a key to its slots there. A hot key
 * (a pub/sub topic with thousands of subscribers) is thus spread over all partitions, so
 * subscribers registering at once contend on {@code partitions} bins, not one; the price is
 * that a lookup reads every partition.
 *
 * <p>A key's slots in one partition are a {@code Slot[]} while there are few of them (copied on
 * write: compact, and read with one volatile load), and a concurrent identity set once there
 * are more than {@link #SMALL} (O(1) to add and remove, so a topic with a hundred thousand
 * subscribers costs no more per subscription than one with ten).
 *
 * <p>Writers of one key in one partition are serialised by the partition map's bin lock: every
 * change to a key's slots happens inside {@code compute}/{@code computeIfPresent}, including
 * removing the key with its last slot, so no key object outlives its entries and an add never
 * lands in a bucket that was just dropped. Readers never lock: they take the bucket with one
 * {@code get} and iterate it (an array snapshot, or the set's weakly consistent iterator).
 */
final class DuplicateStore<K, V> extends Store<K, V> {

    /** Largest bucket kept as an array. */
    static final int SMALL = 16;

    private static final class Part<K, V> {
        /** Key to {@code Slot[]} or {@code Set<Slot>}; never an empty bucket. */
        final ConcurrentHashMap<K, Object> map = new ConcurrentHashMap<>();
        final LongAdder size = new LongAdder();
    }

    private final Part<K, V>[] parts;

    @SuppressWarnings({"unchecked", "rawtypes"})
    DuplicateStore(int partitions) {
        parts = new Part[partitions];
        for (int i = 0; i < partitions; i++) {
            parts[i] = new Part<>();
        }
    }

    private Part<K, V> part(Pid pid) {
        return parts[index(pid.hashCode(), parts.length)];
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    Slot<K, V> insert(Slot<K, V> s) {
        Part<K, V> p = part(s.pid);
        p.map.compute(s.key, (k, bucket) -> {
            if (bucket == null) {
                return new Slot[] {s};
            }
            if (bucket instanceof Slot[] arr) {
                if (arr.length < SMALL) {
                    Slot[] grown = Arrays.copyOf(arr, arr.length + 1);
                    grown[arr.length] = s;
                    return grown;
                }
                Set<Slot<K, V>> set = ConcurrentHashMap.newKeySet(arr.length * 2);
                for (Slot x : arr) {
                    set.add(x);
                }
                set.add(s);
                return set;
            }
            ((Set<Slot<K, V>>) bucket).add(s);
            return bucket;
        });
        p.size.increment();
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    void remove(Slot<K, V> s) {
        Part<K, V> p = part(s.pid);
        boolean[] removed = {false};
        p.map.computeIfPresent(s.key, (k, bucket) -> {
            if (bucket instanceof Slot<?, ?>[] arr) {
                for (int i = 0; i < arr.length; i++) {
                    if (arr[i] == s) {
                        removed[0] = true;
                        if (arr.length == 1) {
                            return null;
                        }
                        Slot<?, ?>[] shrunk = Arrays.copyOf(arr, arr.length - 1);
                        System.arraycopy(arr, i + 1, shrunk, i, arr.length - i - 1);
                        return shrunk;
                    }
                }
                return arr;
            }
            Set<Slot<K, V>> set = (Set<Slot<K, V>>) bucket;
            removed[0] = set.remove(s);
            return set.isEmpty() ? null : set;
        });
        if (removed[0]) {
            p.size.decrement();
        }
    }

    @SuppressWarnings("unchecked")
    private static <K, V> void each(Object bucket, Consumer<Slot<K, V>> visitor) {
        if (bucket instanceof Slot<?, ?>[] arr) {
            for (Slot<?, ?> s : arr) {
                visitor.accept((Slot<K, V>) s);
            }
        } else if (bucket != null) {
            ((Set<Slot<K, V>>) bucket).forEach(visitor);
        }
    }

    @Override
    void lookup(K key, List<Entry<K, V>> out) {
        for (Part<K, V> p : parts) {
            DuplicateStore.<K, V>each(p.map.get(key), s -> {
                if (s.pid.isAlive()) {
                    out.add(s.entry());
                }
            });
        }
    }

    @Override
    void forEach(Consumer<Slot<K, V>> visitor) {
        for (Part<K, V> p : parts) {
            for (Object bucket : p.map.values()) {
                each(bucket, visitor);
            }
        }
    }

    @Override
    long size() {
        long n = 0;
        for (Part<K, V> p : parts) {
            n += p.size.sum();
        }
        return n;
    }

    @Override
    long[] partitionSizes() {
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parts[i].size.sum();
        }
        return out;
    }

    @Override
    void clear() {
        for (Part<K, V> p : parts) {
            p.map.clear();
            p.size.reset();
        }
    }
}
