package io.otpj.registry;

import io.otpj.core.Pid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * What one registry knows about one registered process: its slots, indexed by key, and the
 * single exit hook that removes them when it dies. There is one owner, hence one hook, per
 * (registry, pid) pair however many keys the process holds; it is retired (hook removed, link
 * undone) when the process holds no more entries.
 *
 * <p>Threading. The owning process is the only one that adds slots. Everything but the final
 * fields is guarded by {@code this}, which is contended only between the owning process and
 * the thread that ends it (whose exit hook empties the owner), or the thread that ends the
 * registry. No other lock is ever taken while holding it except the bin locks of the
 * registry's ConcurrentHashMaps, so it cannot deadlock with process locks. All methods but
 * the constructor require the caller to hold the lock.
 *
 * <p>The index maps a key to its one slot, or to an {@code ArrayList} of slots when a
 * process holds a duplicate key more than once, so unregistering a key costs O(1) in the
 * number of keys the process holds.
 */
final class Owner<K, V> {

    final Pid pid;
    /** Whether the registry linked this process (and so must unlink it when it retires). */
    final boolean ownLink;
    /** The exit hook: removes every slot of this owner, on the dying process's death. */
    final Runnable hook;

    /** Key to {@code Slot} or {@code ArrayList<Slot>}; null once closed. */
    private HashMap<K, Object> index = new HashMap<>(4);
    private int size;

    Owner(Pid pid, boolean ownLink, RegistryState<K, V> registry) {
        this.pid = pid;
        this.ownLink = ownLink;
        this.hook = () -> registry.ownerExited(this);
    }

    boolean closed() {
        return index == null;
    }

    boolean isEmpty() {
        return size == 0;
    }

    @SuppressWarnings("unchecked")
    void add(Slot<K, V> s) {
        Object prev = index.putIfAbsent(s.key, s);
        if (prev instanceof Slot<?, ?> one) {
            ArrayList<Slot<K, V>> many = new ArrayList<>(2);
            many.add((Slot<K, V>) one);
            many.add(s);
            index.put(s.key, many);
        } else if (prev != null) {
            ((ArrayList<Slot<K, V>>) prev).add(s);
        }
        size++;
    }

    /** @return whether {@code key} is held at least once */
    boolean holds(K key) {
        return index.containsKey(key);
    }

    /** Removes and returns every slot under {@code key}. */
    @SuppressWarnings("unchecked")
    List<Slot<K, V>> removeKey(K key) {
        Object o = index.remove(key);
        if (o == null) {
            return List.of();
        }
        List<Slot<K, V>> removed = o instanceof Slot<?, ?> one ? List.of((Slot<K, V>) one) : (List<Slot<K, V>>) o;
        size -= removed.size();
        return removed;
    }

    /** Removes exactly {@code s}, if held. */
    @SuppressWarnings("unchecked")
    boolean remove(Slot<K, V> s) {
        Object o = index.get(s.key);
        if (o == s) {
            index.remove(s.key);
        } else if (o instanceof ArrayList<?> many && many.remove(s)) {
            if (many.size() == 1) {
                index.put(s.key, many.get(0));
            }
        } else {
            return false;
        }
        size--;
        return true;
    }

    /** @return the key of each slot, a key held twice appearing twice */
    List<K> keys() {
        List<K> out = new ArrayList<>(size);
        index.forEach((k, o) -> {
            int n = o instanceof ArrayList<?> many ? many.size() : 1;
            for (int i = 0; i < n; i++) {
                out.add(k);
            }
        });
        return out;
    }

    /**
     * Closes this owner: it holds nothing from now on and can never be reopened.
     *
     * @return the slots it held, now the caller's to remove from the tables
     */
    @SuppressWarnings("unchecked")
    List<Slot<K, V>> close() {
        HashMap<K, Object> idx = index;
        index = null;
        size = 0;
        if (idx == null) {
            return List.of();
        }
        List<Slot<K, V>> all = new ArrayList<>(idx.size());
        for (Object o : idx.values()) {
            if (o instanceof Slot<?, ?> one) {
                all.add((Slot<K, V>) one);
            } else {
                all.addAll((List<Slot<K, V>>) o);
            }
        }
        return all;
    }

    @Override
    public String toString() {
        return "Owner[" + pid + "]";
    }
}
