package io.otpj.registry;

import io.otpj.core.Node;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.NameRegistry;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartException;
import io.otpj.core.StartResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A local, process-aware key-value store: the Java form of Elixir's {@code Registry}.
 *
 * <pre>{@code
 * // Elixir: {Registry, keys: :unique, name: CampaignRegistry} in a supervision tree
 * Registry<Long, Void> campaigns = Registry.startLink(RegistryOptions.unique("campaigns"));
 *
 * // {:via, Registry, {CampaignRegistry, campaign_id}}
 * GenServer.startLink(new CampaignServer(), id, campaigns.via(id));
 * GenServer.call(campaigns.via(id), new GetCampaign());
 *
 * // Registry.lookup(CampaignRegistry, campaign_id)
 * List<Entry<Long, Void>> found = campaigns.lookup(id);
 * }</pre>
 *
 * <h2>Model</h2>
 * A registry maps keys to the processes that registered them, each with a value. Keys are
 * {@linkplain RegistryOptions.Keys#UNIQUE unique} (at most one process per key) or
 * {@linkplain RegistryOptions.Keys#DUPLICATE duplicate} (any number, the basis of
 * {@link PubSub}). A process registers and unregisters <em>itself</em>: {@link #register},
 * {@link #unregister} and {@link #updateValue} act on the calling process and throw
 * {@link IllegalStateException} from a thread that is not a process. Anyone may read.
 *
 * <p>A registry is also a process (a small GenServer that owns the tables), started with
 * {@link #startLink} (from a process, typically a supervisor: see {@link #starter}) or
 * {@link #start} (from any thread), registered under its name as a local name. This object is
 * a <em>handle</em> that names the registry, as Elixir's atom does: equal handles have equal
 * names, and after a supervisor restarts the registry, the same handle, and every via-name
 * built from it, reaches the new incarnation, whose tables start empty. While no registry of
 * that name runs, every operation throws {@link IllegalStateException}, except
 * {@link #via} (a via-name is a value) and {@link #whereisName} (null: a call through a
 * via-name then fails with {@code noproc}).
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Removal at death.</b> When a registered process dies, its entries are removed
 *       synchronously, as part of its death, before its links and monitors are told (by one
 *       exit hook per process and registry, {@link Proc#onExit}). A supervisor or monitor
 *       that learns of the death can register the key again at once. Elixir removes them
 *       asynchronously; see docs/registry.md.</li>
 *   <li><b>One owner.</b> A unique key has at most one live owner at any instant, however many
 *       processes race for it; the losers get {@link Registration.AlreadyRegistered} naming
 *       the winner. A holder that is dead but not yet cleaned up counts as free.</li>
 *   <li><b>Reads never block.</b> Lookups, matches, selects, counts and dispatches read the
 *       partition tables (ConcurrentHashMaps) directly, without locks and without the
 *       registry's process; they never wait for a registration, and registrations in
 *       different partitions never wait for each other. Unique keys are partitioned by the
 *       key's hash; duplicate keys by the registering process, as in Elixir, so that many
 *       processes subscribing to one topic do not contend on one table entry (a duplicate
 *       lookup then reads every partition).</li>
 *   <li><b>Only live entries are returned.</b> Reads skip entries of dead processes
 *       ({@link #count()} excepted, see there). An entry is a snapshot: its process may die
 *       right after it was read.</li>
 *   <li><b>Links.</b> A registered process is linked to the registry process, as in Elixir:
 *       if the registry exits with a reason other than {@code normal}, its registered
 *       processes exit too (or receive an {@code Exit} message if they trap exits). The link is
 *       removed when the process no longer holds entries, unless the process was linked to
 *       the registry before it first registered (its parent, say). The registry traps exits:
 *       the deaths of registered processes do not harm it. Like any link to a dead process,
 *       registering into a registry that dies at that very moment may end the caller with
 *       {@code noproc}.</li>
 *   <li><b>Keys</b> are compared with {@code equals}/{@code hashCode}; they must not change
 *       while registered. Nothing interns them: after an entry is removed, the registry keeps
 *       no reference to its key or value.</li>
 * </ul>
 *
 * <h2>Memory consistency</h2>
 * Actions of a process before a successful {@code register} (or {@code updateValue})
 * happen-before the actions of any thread after a read that returns the entry (or value).
 *
 * <p>Null keys, functions and predicates are rejected with {@link NullPointerException}
 * naming the argument. Values may be null. Exceptions thrown by user functions (a predicate,
 * a dispatch consumer, an update function) propagate to the caller and leave the registry
 * unchanged.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class Registry<K, V> implements NameRegistry {

    private final Node node;
    private final String name;
    /** The incarnation last seen alive; refreshed from the directory once it is dead. */
    private volatile RegistryState<K, V> cached;

    Registry(Node node, String name, RegistryState<K, V> state) {
        this.node = node;
        this.name = name;
        this.cached = state;
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Starts a registry linked to the calling process and waits until it runs. Elixir's
     * {@code Registry.start_link(keys: ..., name: ..., partitions: ...)}.
     *
     * @param <K> the key type
     * @param <V> the value type
     * @param options the registry's name, kind of keys and partitions
     * @return the handle of the running registry
     * @throws NullPointerException if {@code options} is null
     * @throws IllegalStateException if the caller is not a process
     * @throws StartException if it could not start; a name already taken gives
     *     {@code Failed(AlreadyStarted(pid))} as {@link StartException#result()}
     */
    public static <K, V> Registry<K, V> startLink(RegistryOptions options) {
        return startHandle(options, true, false);
    }

    /**
     * Starts a registry not linked to the caller, from any thread; otherwise as
     * {@link #startLink}.
     *
     * @param <K> the key type
     * @param <V> the value type
     * @param options the registry's name, kind of keys and partitions
     * @return the handle of the running registry
     * @throws NullPointerException if {@code options} is null
     * @throws StartException if it could not start; a name already taken gives
     *     {@code Failed(AlreadyStarted(pid))} as {@link StartException#result()}
     */
    public static <K, V> Registry<K, V> start(RegistryOptions options) {
        return startHandle(options, false, false);
    }

    /**
     * The start function of a registry for a supervisor's child spec, e.g.
     * {@code ChildSpec.worker("campaigns", Registry.starter(RegistryOptions.unique("campaigns")))}.
     * Each call starts a new incarnation linked to the calling process (the supervisor) and
     * returns the start's result, {@code Failed(AlreadyStarted(pid))} if the name is taken.
     *
     * @param options the registry's name, kind of keys and partitions
     * @return the start function; run from a thread that is not a process, it throws
     *     {@link IllegalStateException}
     * @throws NullPointerException if {@code options} is null
     */
    public static Supplier<StartResult> starter(RegistryOptions options) {
        Objects.requireNonNull(options, "options must not be null");
        return () -> startServer(new RegistryState<>(options, false), true);
    }

    /**
     * Finds a running registry by name in the {@linkplain Node#current() current node}, from
     * any thread. A registry of another node is not found.
     *
     * @param <K> the key type
     * @param <V> the value type
     * @param name the registry's name
     * @return the running registry named {@code name} ({@code Registry} or {@link PubSub}), or
     *     empty if none runs now. The types are the caller's expectation, unchecked.
     * @throws NullPointerException if {@code name} is null
     */
    public static <K, V> Optional<Registry<K, V>> named(String name) {
        Objects.requireNonNull(name, "registry name must not be null");
        RegistryState<K, V> s = RegistryState.current(Node.current(), name);
        return s == null ? Optional.empty() : Optional.of(s.handle);
    }

    static <K, V> Registry<K, V> startHandle(RegistryOptions options, boolean link, boolean pubsub) {
        Objects.requireNonNull(options, "options must not be null");
        RegistryState<K, V> state = new RegistryState<>(options, pubsub);
        startServer(state, link).pid();
        return state.handle;
    }

    static StartResult startServer(RegistryState<?, ?> state, boolean link) {
        Name local = Name.local(state.options.name());
        return link
                ? GenServer.startLink(new RegistryServer(), state, local)
                : GenServer.start(new RegistryServer(), state, local);
    }

    /**
     * The name this handle reaches the registry by; works while it is not running.
     *
     * @return this registry's name
     */
    public String name() {
        return name;
    }

    /**
     * The running registry's options.
     *
     * @return the options the running registry was started with
     * @throws IllegalStateException if it is not running
     */
    public RegistryOptions options() {
        return state().options;
    }

    /**
     * The running registry's process.
     *
     * @return the running registry's process (a new one after each restart)
     * @throws IllegalStateException if it is not running
     */
    public Pid pid() {
        return state().pid;
    }

    // ------------------------------------------------------------------ via-names

    /**
     * A via-name for {@code key} in this (unique) registry: Elixir's
     * {@code {:via, Registry, {registry, key}}}. Start a GenServer under it, then call and cast
     * to it; the server's registration has a null value and ends when it dies.
     *
     * <p>A via-name is a value, like Elixir's tuple: it can be built while the registry is not
     * running (a call through it then fails with {@code noproc}, a start with an error), and it
     * keeps working after the registry is restarted.
     *
     * @param key the key the server registers under
     * @return the via-name of {@code key} in this registry
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if the running registry has duplicate keys (Elixir raises too)
     */
    public Name via(K key) {
        Objects.requireNonNull(key, "key must not be null");
        RegistryState<K, V> s = stateOrNull();
        if (s != null) {
            requireUnique(s, "via");
        }
        return Name.via(this, key);
    }

    /**
     * {@link NameRegistry}: registers {@code pid}, which must be the calling process (as
     * Elixir's {@code register_name/2}), under {@code key} with a null value. A GenServer
     * started with {@link #via} calls this from its own process before {@code init}.
     *
     * @return null if registered, or the live holder of {@code key} (possibly {@code pid})
     * @throws IllegalArgumentException if {@code pid} is not the calling process
     * @throws IllegalStateException if the registry is not running or has duplicate keys
     */
    @Override
    @SuppressWarnings("unchecked")
    public Pid registerName(Object key, Pid pid) {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(pid, "pid must not be null");
        Proc.checkpoint(); // a process whose exit is decided unwinds here
        RegistryState<K, V> s = state();
        requireUnique(s, "registerName");
        if (!Proc.isProcess() || !Proc.self().equals(pid)) {
            throw new IllegalArgumentException("registerName registers the calling process only: " + pid
                    + " is not the caller" + (Proc.isProcess() ? " (" + Proc.self() + ")" : " (a plain thread)"));
        }
        return switch (s.register(pid, (K) key, null)) {
            case Registration.Registered r -> null;
            case Registration.AlreadyRegistered(Pid holder) -> holder;
        };
    }

    /**
     * {@link NameRegistry}: removes {@code key} if registered. From the holder itself this is
     * {@link #unregister}; from another thread the entry is removed all the same, but the
     * holder stays linked to the registry (only a process can undo its own link) until it next
     * registers and then gives up its last entry, or exits.
     */
    @Override
    @SuppressWarnings("unchecked")
    public void unregisterName(Object key) {
        Objects.requireNonNull(key, "key must not be null");
        Proc.checkpoint(); // a process whose exit is decided unwinds here: it removes no one's key
        RegistryState<K, V> s = state();
        requireUnique(s, "unregisterName");
        if (Proc.isProcess()) {
            UniqueStore<K, V> u = (UniqueStore<K, V>) s.store;
            Slot<K, V> slot = u.get(key);
            if (slot != null && slot.pid == Proc.self()) {
                s.unregister(slot.pid, (K) key);
                return;
            }
        }
        s.unregisterForeign((K) key);
    }

    /**
     * {@link NameRegistry}: the live process holding {@code key}, or null, also when the
     * registry is not running (so a call through a via-name fails with {@code noproc}).
     *
     * @throws IllegalStateException if the registry has duplicate keys
     */
    @Override
    public Pid whereisName(Object key) {
        Objects.requireNonNull(key, "key must not be null");
        RegistryState<K, V> s = stateOrNull();
        if (s == null) {
            return null;
        }
        requireUnique(s, "whereisName");
        Slot<K, V> slot = ((UniqueStore<K, V>) s.store).get(key);
        return slot != null && slot.pid.isAlive() ? slot.pid : null;
    }

    // ------------------------------------------------------------------ writes (calling process)

    /**
     * Registers the calling process under {@code key} with {@code value}. In a unique registry
     * the key is refused if a live process holds it (the caller included); a dead holder counts
     * as free. In a duplicate registry it always succeeds, even for a key the caller already
     * holds (it then holds it twice).
     *
     * A process whose exit is decided (killed while its code still runs) unwinds here, as at any
     * otpj operation, and changes nothing.
     *
     * @param key the key to register under
     * @param value the entry's value; may be null
     * @return {@link Registration.Registered}, or {@link Registration.AlreadyRegistered} with the
     *     holder
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if the caller is not a process, or the registry is not
     *     running
     */
    public Registration register(K key, V value) {
        Objects.requireNonNull(key, "key must not be null");
        Proc.checkpoint(); // a process whose exit is decided unwinds here: nothing of it lands
        RegistryState<K, V> s = state();
        return s.register(Proc.self(), key, value);
    }

    /**
     * Removes every entry of the calling process under {@code key}; does nothing if it has
     * none. When the process holds no more entries, its exit hook is removed and its link to
     * the registry undone (unless it was linked before registering).
     *
     * A process whose exit is decided (killed while its code still runs) unwinds here, as at any
     * otpj operation, and changes nothing.
     *
     * @param key the key to unregister
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if the caller is not a process, or the registry is not
     *     running
     */
    public void unregister(K key) {
        Objects.requireNonNull(key, "key must not be null");
        Proc.checkpoint(); // a process whose exit is decided unwinds here
        RegistryState<K, V> s = state();
        s.unregister(Proc.self(), key);
    }

    /**
     * Replaces the value of the calling process's entry under the unique {@code key} with
     * {@code fn(value)}: Elixir's {@code update_value/3}. Only the owner may update, so no
     * other writer races it; readers see the old or the new value.
     *
     * A process whose exit is decided (killed while its code still runs) unwinds here, as at any
     * otpj operation, and changes nothing.
     *
     * @param key the unique key the caller holds
     * @param fn computes the new value from the current one, in the calling process
     * @return the new value, or empty if the caller does not hold {@code key}
     * @throws NullPointerException if {@code key} or {@code fn} is null, or {@code fn} returns
     *     null (the value is then unchanged)
     * @throws IllegalStateException if the registry has duplicate keys or is not running, or
     *     the caller is not a process
     */
    public Optional<V> updateValue(K key, UnaryOperator<V> fn) {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(fn, "fn must not be null");
        Proc.checkpoint(); // a process whose exit is decided unwinds here
        RegistryState<K, V> s = state();
        requireUnique(s, "updateValue");
        Pid self = Proc.self();
        Slot<K, V> slot = ((UniqueStore<K, V>) s.store).get(key);
        if (slot == null || slot.pid != self) {
            return Optional.empty();
        }
        V updated = Objects.requireNonNull(fn.apply(slot.value), () -> "updateValue function returned null for key " + key);
        slot.value = updated;
        return Optional.of(updated);
    }

    // ------------------------------------------------------------------ reads (any thread)

    /**
     * Looks up {@code key}, from any thread, without locking: Elixir's {@code lookup/2}.
     *
     * @param key the key
     * @return the live entries under {@code key}: at most one in a unique registry; in no
     *     particular order in a duplicate one. Unmodifiable.
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if the registry is not running
     */
    public List<Entry<K, V>> lookup(K key) {
        Objects.requireNonNull(key, "key must not be null");
        List<Entry<K, V>> out = new ArrayList<>(2);
        state().store.lookup(key, out);
        return Collections.unmodifiableList(out);
    }

    /**
     * Looks up {@code key} and keeps the entries whose value matches, from any thread.
     *
     * @param key the key
     * @param valuePattern tests each live entry's value (possibly null), in the calling thread
     * @return the live entries under {@code key} whose value {@code valuePattern} accepts
     *     (Elixir's {@code match/3} with the pattern as a predicate). Unmodifiable.
     * @throws NullPointerException if {@code key} or {@code valuePattern} is null
     * @throws IllegalStateException if the registry is not running
     */
    public List<Entry<K, V>> match(K key, Predicate<? super V> valuePattern) {
        Objects.requireNonNull(valuePattern, "valuePattern must not be null");
        List<Entry<K, V>> all = lookup(key);
        List<Entry<K, V>> out = new ArrayList<>(all.size());
        for (Entry<K, V> e : all) {
            if (valuePattern.test(e.value())) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Selects entries over the whole registry, from any thread.
     *
     * @param query tests each live entry, in the calling thread
     * @return every live entry that {@code query} accepts, in no particular order (Elixir's
     *     {@code select/2}, with a predicate for the match spec). Scans all partitions; weakly
     *     consistent: entries added or removed during the scan may or may not be seen.
     *     Unmodifiable.
     * @throws NullPointerException if {@code query} is null
     * @throws IllegalStateException if the registry is not running
     */
    public List<Entry<K, V>> select(Predicate<? super Entry<K, V>> query) {
        Objects.requireNonNull(query, "query must not be null");
        List<Entry<K, V>> out = new ArrayList<>();
        state().store.forEach(s -> {
            if (s.pid.isAlive()) {
                Entry<K, V> e = s.entry();
                if (query.test(e)) {
                    out.add(e);
                }
            }
        });
        return Collections.unmodifiableList(out);
    }

    /**
     * Counts all entries, from any thread: Elixir's {@code count/1}.
     *
     * @return the number of entries, summed over the partitions without a scan. An entry of a
     *     process that is dying at this very instant (between its death and its exit hook) may
     *     still be counted.
     * @throws IllegalStateException if the registry is not running
     */
    public int count() {
        return (int) Math.min(Integer.MAX_VALUE, state().store.size());
    }

    /**
     * Counts the entries under one key, from any thread, as {@link #lookup} finds them.
     *
     * @param key the key
     * @return the number of live entries under {@code key}
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if the registry is not running
     */
    public int count(K key) {
        return lookup(key).size();
    }

    /**
     * The keys a process holds here, from any thread: Elixir's {@code keys/2}.
     *
     * @param pid the process
     * @return the keys {@code pid} holds here, one per entry (a duplicate key registered twice
     *     appears twice), in no particular order; empty if it holds none or is dead.
     *     Unmodifiable.
     * @throws NullPointerException if {@code pid} is null
     * @throws IllegalStateException if the registry is not running
     */
    public List<K> keys(Pid pid) {
        Objects.requireNonNull(pid, "pid must not be null");
        return Collections.unmodifiableList(state().keys(pid));
    }

    /**
     * Calls {@code fn} with the live entries under {@code key}, in the calling thread, if there
     * is at least one (Elixir's {@code dispatch/3}). Elixir calls it once per partition holding
     * entries; here it is called once, with all of them.
     *
     * @param key the key
     * @param fn receives the live entries (unmodifiable); what it throws reaches the caller
     * @throws NullPointerException if {@code key} or {@code fn} is null
     * @throws IllegalStateException if the registry is not running
     */
    public void dispatch(K key, Consumer<List<Entry<K, V>>> fn) {
        Objects.requireNonNull(fn, "fn must not be null");
        List<Entry<K, V>> entries = lookup(key);
        if (!entries.isEmpty()) {
            fn.accept(entries);
        }
    }

    // ------------------------------------------------------------------ metadata (any thread)

    /**
     * Stores registry metadata (Elixir's {@code put_meta/3}); replaces any previous value. Any
     * thread may put, read and delete metadata; it lives as long as the running incarnation. A
     * process's write lands before its {@code DOWN}, or not at all: once its exit is decided it
     * unwinds here instead, as at any otpj operation.
     *
     * @param key the metadata key
     * @param value the metadata value; unlike an entry's value, not null
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if the registry is not running
     */
    public void putMeta(Object key, Object value) {
        Objects.requireNonNull(key, "meta key must not be null");
        Objects.requireNonNull(value, "meta value must not be null");
        RegistryState<K, V> s = state();
        s.writeMeta(() -> s.meta.put(key, value));
    }

    /**
     * Reads registry metadata, from any thread.
     *
     * @param key the metadata key
     * @return the metadata under {@code key} (Elixir's {@code meta/2}), or empty
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if the registry is not running
     */
    public Optional<Object> meta(Object key) {
        Objects.requireNonNull(key, "meta key must not be null");
        return Optional.ofNullable(state().meta.get(key));
    }

    /**
     * Removes the metadata under {@code key}, if any (Elixir's {@code delete_meta/2}). Like
     * {@link #putMeta}, a process's delete lands before its {@code DOWN} or not at all.
     *
     * @param key the metadata key
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if the registry is not running
     */
    public void deleteMeta(Object key) {
        Objects.requireNonNull(key, "meta key must not be null");
        RegistryState<K, V> s = state();
        s.writeMeta(() -> s.meta.remove(key));
    }

    // ------------------------------------------------------------------ internals

    /** @return the running incarnation */
    RegistryState<K, V> state() {
        RegistryState<K, V> s = stateOrNull();
        if (s == null) {
            throw RegistryState.notRunning(name);
        }
        return s;
    }

    private RegistryState<K, V> stateOrNull() {
        RegistryState<K, V> s = cached;
        if (s != null && s.alive) {
            return s;
        }
        s = RegistryState.current(node, name);
        if (s != null) {
            cached = s;
        }
        return s;
    }

    private void requireUnique(RegistryState<K, V> s, String op) {
        if (!s.unique()) {
            throw new IllegalStateException(op + " needs a unique registry: \"" + name + "\" has duplicate keys");
        }
    }

    /** Handles are equal when they name the same registry in the same node. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Registry<?, ?> r && r.name.equals(name) && r.node == node;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + node.hashCode();
    }

    @Override
    public String toString() {
        return "Registry[" + name + " on " + node.name() + "]";
    }
}
