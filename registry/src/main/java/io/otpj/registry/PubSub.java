package io.otpj.registry;

import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartException;
import io.otpj.core.StartResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Local publish/subscribe over a duplicate-key {@link Registry}: the one-node counterpart of
 * {@code Phoenix.PubSub}.
 *
 * <pre>{@code
 * // Elixir: {Phoenix.PubSub, name: Financial.PubSub} in the supervision tree
 * PubSub pubsub = PubSub.startLink("financial");
 *
 * // In a GenServer's init: Phoenix.PubSub.subscribe(Financial.PubSub, "campaigns")
 * PubSub.named("financial").orElseThrow().subscribe("campaigns");
 *
 * // Anywhere: Phoenix.PubSub.broadcast(Financial.PubSub, "campaigns", {:donation_received, d})
 * pubsub.broadcast("campaigns", new DonationReceived(d));
 * // ... arrives in each subscriber's handleInfo
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link #subscribe} and {@link #unsubscribe} act on the calling process, which must be
 *       a process ({@link IllegalStateException} otherwise). Subscribing twice to a topic is
 *       the same as once (Phoenix would deliver every message twice): a subscriber receives
 *       each broadcast once.</li>
 *   <li>{@link #broadcast} works from any thread and sends the message to every process
 *       subscribed when it reads the topic's subscribers; one that subscribes during the
 *       broadcast may or may not receive it. Messages from one broadcasting thread reach each
 *       subscriber in the order they were broadcast. Nothing is copied: send immutable
 *       messages.</li>
 *   <li>A subscriber that dies is unsubscribed synchronously, as part of its death, before
 *       its links and monitors are told (see {@link Registry}).</li>
 *   <li>Subscribers are linked to the pub/sub's registry process, as with Elixir's Registry:
 *       if it crashes, they exit with it (or get an {@code Exit} message if they trap exits).
 *       The link is undone when a process unsubscribes from its last topic.</li>
 * </ul>
 * Topics are any objects with {@code equals}/{@code hashCode}; null topics and messages are
 * rejected with {@link NullPointerException}.
 */
public final class PubSub {

    private final Registry<Object, Object> registry;

    private PubSub(Registry<Object, Object> registry) {
        this.registry = registry;
    }

    /**
     * Starts a pub/sub named {@code name}, linked to the calling process. Its registry has
     * duplicate keys and one partition per available processor.
     *
     * @param name the pub/sub's name, also its registry's and its process's local name; not blank
     * @return the handle of the running pub/sub
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if the caller is not a process
     * @throws StartException if it could not start (the name is taken, say)
     */
    public static PubSub startLink(String name) {
        return new PubSub(Registry.startHandle(options(name), true, true));
    }

    /**
     * Starts a pub/sub named {@code name}, not linked, from any thread; as {@link #startLink}.
     *
     * @param name the pub/sub's name; not blank
     * @return the handle of the running pub/sub
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws StartException if it could not start (the name is taken, say)
     */
    public static PubSub start(String name) {
        return new PubSub(Registry.startHandle(options(name), false, true));
    }

    /**
     * The start function of a pub/sub for a supervisor's child spec: each call starts a new
     * incarnation linked to the caller and returns the start's result,
     * {@code Failed(AlreadyStarted(pid))} if the name is taken.
     *
     * @param name the pub/sub's name; not blank, checked now
     * @return the start function; run from a thread that is not a process, it throws
     *     {@link IllegalStateException}
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Supplier<StartResult> starter(String name) {
        RegistryOptions options = options(name);
        return () -> Registry.startServer(new RegistryState<>(options, true), true);
    }

    /**
     * Finds a running pub/sub by name in the {@linkplain Node#current() current node}, from any
     * thread.
     *
     * @param name the pub/sub's name
     * @return the running pub/sub named {@code name}, or empty (also for a plain registry)
     * @throws NullPointerException if {@code name} is null
     */
    public static Optional<PubSub> named(String name) {
        Objects.requireNonNull(name, "pubsub name must not be null");
        RegistryState<Object, Object> s = RegistryState.current(Node.current(), name);
        return s == null || !s.pubsub ? Optional.empty() : Optional.of(new PubSub(s.handle));
    }

    private static RegistryOptions options(String name) {
        return RegistryOptions.duplicate(name).withPartitions(Runtime.getRuntime().availableProcessors());
    }

    /**
     * The name this handle reaches the pub/sub by; works while it is not running.
     *
     * @return the name
     */
    public String name() {
        return registry.name();
    }

    /**
     * The running pub/sub's process.
     *
     * @return the process of the running pub/sub (a new one after each restart)
     * @throws IllegalStateException if it is not running
     */
    public Pid pid() {
        return registry.pid();
    }

    /**
     * Subscribes the calling process to {@code topic}; does nothing if it already is.
     *
     * @param topic the topic
     * @throws NullPointerException if {@code topic} is null
     * @throws IllegalStateException if the caller is not a process, or the pub/sub is not running
     */
    public void subscribe(Object topic) {
        Objects.requireNonNull(topic, "topic must not be null");
        Pid self = Proc.self();
        // Only this process adds its own entries, so the check and the register cannot race.
        if (!registry.state().holds(self, topic)) {
            registry.register(topic, null);
        }
    }

    /**
     * Unsubscribes the calling process from {@code topic}; does nothing if it is not subscribed.
     *
     * @param topic the topic
     * @throws NullPointerException if {@code topic} is null
     * @throws IllegalStateException if the caller is not a process, or the pub/sub is not running
     */
    public void unsubscribe(Object topic) {
        Objects.requireNonNull(topic, "topic must not be null");
        registry.unregister(topic);
    }

    /**
     * Sends {@code message} to every live subscriber of {@code topic}, the caller included if
     * it subscribed. Never blocks on a subscriber.
     *
     * @param topic the topic
     * @param message the message, delivered as is (not copied) to each subscriber's mailbox
     * @return the number of subscribers it was sent to
     * @throws NullPointerException if {@code topic} or {@code message} is null
     * @throws IllegalStateException if the pub/sub is not running
     */
    public int broadcast(Object topic, Object message) {
        Objects.requireNonNull(topic, "topic must not be null");
        Objects.requireNonNull(message, "message must not be null");
        List<Entry<Object, Object>> subscribers = registry.lookup(topic);
        for (Entry<Object, Object> e : subscribers) {
            Proc.send(e.pid(), message);
        }
        return subscribers.size();
    }

    /**
     * Lists the subscribers of a topic, from any thread.
     *
     * @param topic the topic
     * @return the live subscribers of {@code topic}, in no particular order; unmodifiable
     * @throws NullPointerException if {@code topic} is null
     * @throws IllegalStateException if the pub/sub is not running
     */
    public List<Pid> subscribers(Object topic) {
        List<Entry<Object, Object>> entries = registry.lookup(Objects.requireNonNull(topic, "topic must not be null"));
        List<Pid> out = new ArrayList<>(entries.size());
        for (Entry<Object, Object> e : entries) {
            out.add(e.pid());
        }
        return List.copyOf(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PubSub p && p.registry.equals(registry);
    }

    @Override
    public int hashCode() {
        return registry.hashCode() * 31 + 1;
    }

    @Override
    public String toString() {
        return "PubSub[" + registry.name() + "]";
    }
}
