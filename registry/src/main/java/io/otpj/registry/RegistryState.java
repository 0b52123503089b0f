package io.otpj.registry;

import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.ProcessInfo;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One incarnation of a registry: the tables a registry process owns from its {@code init} to
 * its death. A restarted registry is a new incarnation with empty tables; the {@link Registry}
 * handle (which names the registry, as Elixir's atom does) reaches whichever is current.
 *
 * <p>Lifecycle. {@link #activate} runs in the registry process's {@code init}: it publishes
 * the incarnation in {@link #DIRECTORY} and installs {@link #died} as the process's exit
 * hook. {@code died} runs synchronously when the process dies, on whichever thread ends it,
 * before the process's links fire: it unpublishes the incarnation, removes the exit hooks it
 * had put on registered processes, and empties the tables. The links then take the registered
 * processes down with the registry (unless they trap exits), as in Elixir.
 *
 * <p>Registering. Only a process registers itself, so only it adds to its {@link Owner}; the
 * owner's lock orders that against the exit hook, which runs on the thread that kills it.
 */
final class RegistryState<K, V> {

    /** Running registries by node and name. Keys are registry names (strings), never user keys. */
    private static final ConcurrentHashMap<Key, RegistryState<?, ?>> DIRECTORY = new ConcurrentHashMap<>();

    /** A registry's name in its node: registries of two nodes never meet. */
    private record Key(Node node, String name) {}

    /** The node the registry runs in: the starter's current node. */
    final Node node;

    final RegistryOptions options;
    /** Whether this registry backs a {@link PubSub}, so {@link PubSub#named} finds only those. */
    final boolean pubsub;
    final Registry<K, V> handle;
    final Store<K, V> store;
    final ConcurrentHashMap<Pid, Owner<K, V>> owners = new ConcurrentHashMap<>();
    final ConcurrentHashMap<Object, Object> meta = new ConcurrentHashMap<>();
    /**
     * Processes whose entries were removed by another process ({@link #unregisterForeign}) while
     * the link to the registry was ours: only they can undo it, so the next time one registers,
     * that link is still counted as ours and is undone with its last entry.
     */
    final Set<Pid> strandedLinks = ConcurrentHashMap.newKeySet();

    /** The registry process; written once in {@link #activate}, before {@link #alive}. */
    volatile Pid pid;
    /** True from activate until death; a dead incarnation never comes back. */
    volatile boolean alive;

    RegistryState(RegistryOptions options, boolean pubsub) {
        this.options = options;
        this.pubsub = pubsub;
        this.node = Node.current();
        this.store = options.keys() == RegistryOptions.Keys.UNIQUE
                ? new UniqueStore<>(options.partitions())
                : new DuplicateStore<>(options.partitions());
        this.handle = new Registry<>(node, options.name(), this);
    }

    @SuppressWarnings("unchecked")
    static <K, V> RegistryState<K, V> current(Node node, String name) {
        RegistryState<?, ?> s = DIRECTORY.get(new Key(node, name));
        return s != null && s.alive ? (RegistryState<K, V>) s : null;
    }

    boolean unique() {
        return store instanceof UniqueStore;
    }

    // ------------------------------------------------------------------ lifecycle

    /** Runs in the registry process's init. */
    void activate(Pid self) {
        pid = self;
        alive = true;
        Proc.onExit(self, this::died);
        // The registry holds the local name, so any incarnation still in the directory under it
        // is dead (it released the name before running its hook): replacing it is safe, and its
        // hook's remove(name, itself) will not touch us.
        DIRECTORY.put(new Key(node, options.name()), this);
    }

    /** The registry process's exit hook. */
    private void died() {
        alive = false;
        DIRECTORY.remove(new Key(node, options.name()), this);
        for (Owner<K, V> o : owners.values()) {
            boolean wasOpen;
            synchronized (o) {
                wasOpen = !o.closed();
                o.close();
            }
            // Outside the owner's lock: removeExitHook takes the process's lock, and a dying
            // process holds that lock (briefly) before it takes ours in its hook.
            if (wasOpen) {
                Proc.removeExitHook(o.pid, o.hook);
            }
        }
        owners.clear();
        store.clear();
        meta.clear();
    }

    // ------------------------------------------------------------------ owners

    /** @return the calling process's open owner, created (hooked, linked) if needed */
    private Owner<K, V> ownerFor(Pid self) {
        Owner<K, V> o = owners.get(self);
        if (o != null) {
            synchronized (o) {
                if (!o.closed()) {
                    return o;
                }
            }
            owners.remove(self, o);
        }
        Optional<ProcessInfo> info = Proc.info(self);
        if (info.isEmpty()) {
            throw exiting(self);
        }
        // A process already linked to the registry (its parent, typically) must stay linked
        // when it unregisters: we only undo a link we made.
        Pid registry = pid;
        boolean ownLink = strandedLinks.remove(self) || !info.get().links().contains(registry);
        o = new Owner<>(self, ownLink, this);
        owners.put(self, o);
        if (!Proc.onExit(self, o.hook)) {
            owners.remove(self, o);
            Proc.checkpoint(); // decided meanwhile: unwinds, as any otpj operation
            throw exiting(self);
        }
        if (ownLink) {
            // As Elixir: a registered process is linked to its registry, so a registry that
            // crashes takes its registered processes along (their supervisors restart them and
            // they register again in the new incarnation) instead of leaving them unreachable.
            Proc.link(registry);
        }
        return o;
    }

    /** Retires {@code o} if it holds nothing. Called by the owning process only. */
    private void retireIfEmpty(Owner<K, V> o) {
        synchronized (o) {
            if (o.closed() || !o.isEmpty()) {
                return;
            }
            o.close();
        }
        owners.remove(o.pid, o);
        Proc.removeExitHook(o.pid, o.hook);
        if (o.ownLink) {
            Proc.unlink(pid);
        }
    }

    /** The exit hook of a registered process: runs on the thread that ends it. */
    void ownerExited(Owner<K, V> o) {
        List<Slot<K, V>> slots;
        synchronized (o) {
            if (o.closed()) {
                return;
            }
            slots = o.close();
        }
        for (Slot<K, V> s : slots) {
            store.remove(s);
        }
        owners.remove(o.pid, o);
    }

    // ------------------------------------------------------------------ metadata

    /**
     * A process's pending write of metadata, and the exit hook that orders it before the
     * process's {@code DOWN}: the hook (run by the process's death, before its monitors are told)
     * takes this object's lock, so it waits for a write in progress, and marks the write refused
     * if it has not begun. {@code refused} is guarded by this object's lock.
     */
    private static final class MetaWrite implements Runnable {
        private boolean refused;

        @Override
        public synchronized void run() {
            refused = true;
        }
    }

    /**
     * Runs {@code write}, a change to the metadata map. From a thread that is not a process, at
     * once. From a process: refused once its exit is decided (the process unwinds, as at any otpj
     * operation), and otherwise done before its {@code DOWN}, even if its exit is decided while
     * the write runs (see {@link MetaWrite}).
     */
    void writeMeta(Runnable write) {
        if (!Proc.isProcess()) {
            write.run();
            return;
        }
        Pid self = Proc.self();
        MetaWrite w = new MetaWrite();
        if (!Proc.onExit(self, w)) { // an effect: a process whose exit is decided unwinds there
            // Its exit is decided. Outside an effect this unwinds it; inside one (an exit hook of
            // its own death) the write is part of the death, which tells its monitors after it.
            Proc.checkpoint();
            write.run();
            return;
        }
        try {
            synchronized (w) {
                if (w.refused) {
                    Proc.checkpoint(); // the death that ran the hook was decided: unwinds
                    throw exiting(self);
                }
                write.run();
            }
        } finally {
            Proc.removeExitHook(self, w);
        }
    }

    // ------------------------------------------------------------------ writes

    /** Registers the calling process {@code self}. */
    Registration register(Pid self, K key, V value) {
        for (;;) {
            if (!alive) {
                throw notRunning(options.name());
            }
            Owner<K, V> o = ownerFor(self);
            Slot<K, V> s = new Slot<>(key, self, value);
            Slot<K, V> holder;
            try {
                synchronized (o) {
                    if (o.closed()) {
                        // Closed under us: by our own death, by the registry's, or by a foreign
                        // unregisterName that emptied it. Check which, and start again if alive.
                        if (!self.isAlive()) {
                            throw exiting(self);
                        }
                        continue;
                    }
                    holder = store.insert(s);
                    if (holder == null) {
                        o.add(s);
                    }
                }
            } catch (RuntimeException | Error e) {
                // The key's hashCode or equals threw: nothing was inserted. Do not leave a hook
                // and a link behind for a process that holds nothing.
                retireIfEmpty(o);
                throw e;
            }
            if (!alive) {
                // The registry died while we registered; its cleanup may have missed our slot.
                store.remove(s);
                retireAfterRegistryDeath(o);
                throw notRunning(options.name());
            }
            if (holder != null) {
                retireIfEmpty(o);
                return new Registration.AlreadyRegistered(holder.pid);
            }
            return Registrations.REGISTERED;
        }
    }

    private void retireAfterRegistryDeath(Owner<K, V> o) {
        synchronized (o) {
            o.close();
        }
        owners.remove(o.pid, o);
        Proc.removeExitHook(o.pid, o.hook);
    }

    /** Removes every entry of the calling process {@code self} under {@code key}. */
    void unregister(Pid self, K key) {
        Owner<K, V> o = owners.get(self);
        if (o == null) {
            return;
        }
        synchronized (o) {
            if (o.closed()) {
                return;
            }
            for (Slot<K, V> s : o.removeKey(key)) {
                store.remove(s);
            }
        }
        retireIfEmpty(o);
    }

    /**
     * Removes the unique {@code key} whoever holds it ({@link Registry#unregisterName} from a
     * process that is not the holder). The holder's exit hook is removed if it has no entries
     * left; its link to the registry cannot be undone from here: it stays until that process next
     * registers and then unregisters its last entry (or exits).
     */
    void unregisterForeign(K key) {
        Slot<K, V> s = ((UniqueStore<K, V>) store).get(key);
        if (s == null) {
            return;
        }
        Owner<K, V> o = owners.get(s.pid);
        if (o == null) {
            store.remove(s);
            return;
        }
        boolean retire = false;
        synchronized (o) {
            if (!o.closed() && o.remove(s)) {
                store.remove(s);
                if (o.isEmpty()) {
                    o.close();
                    retire = true;
                }
            }
        }
        if (retire) {
            owners.remove(o.pid, o);
            Proc.removeExitHook(o.pid, o.hook);
            if (o.ownLink) {
                Pid holder = o.pid;
                strandedLinks.add(holder);
                boolean hooked = false;
                try {
                    hooked = Proc.onExit(holder, () -> strandedLinks.remove(holder));
                } finally {
                    if (!hooked) {
                        strandedLinks.remove(holder); // the holder is gone, or the caller unwinds
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ reads

    /** @return the keys of {@code pid}'s entries, one per entry, in no particular order */
    List<K> keys(Pid pid) {
        Owner<K, V> o = owners.get(pid);
        if (o == null || !pid.isAlive()) {
            return List.of();
        }
        synchronized (o) {
            return o.closed() ? List.of() : o.keys();
        }
    }

    /** @return whether the calling process {@code self} holds {@code key} at least once */
    boolean holds(Pid self, K key) {
        Owner<K, V> o = owners.get(self);
        if (o == null) {
            return false;
        }
        synchronized (o) {
            return !o.closed() && o.holds(key);
        }
    }

    /** @return the owner count, for tests: one per registered process */
    int ownerCount() {
        return owners.size();
    }

    // ------------------------------------------------------------------ errors

    static IllegalStateException notRunning(String name) {
        return new IllegalStateException("registry \"" + name + "\" is not running");
    }

    private static IllegalStateException exiting(Pid self) {
        return new IllegalStateException("process " + self + " is exiting: it cannot change the registry");
    }

    @Override
    public String toString() {
        return "RegistryState[" + options.name() + ", " + options.keys() + ", partitions=" + options.partitions()
                + ", pid=" + pid + ", alive=" + alive + ", entries=" + store.size() + "]";
    }
}
