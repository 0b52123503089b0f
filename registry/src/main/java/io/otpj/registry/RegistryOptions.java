package io.otpj.registry;

import java.util.Objects;

/**
 * How a {@link Registry} is started: Elixir's {@code Registry.start_link(keys: ..., name: ...,
 * partitions: ...)}.
 *
 * <pre>{@code
 * RegistryOptions.unique("campaigns")                  // keys: :unique, name: CampaignRegistry
 * RegistryOptions.duplicate("topics").withPartitions(8) // keys: :duplicate, partitions: 8
 * }</pre>
 *
 * <p>Immutable and thread-safe; the wither returns a new instance. Invalid values are rejected
 * when the options are built, with a message naming the bad value.
 *
 * @param name the registry's name: its local process name and the key of
 *     {@link Registry#named(String)}; not blank
 * @param keys whether a key has at most one process ({@link Keys#UNIQUE}) or any number
 *     ({@link Keys#DUPLICATE})
 * @param partitions how many independent tables the entries are spread over, at least 1
 *     (default 1, as in Elixir; {@code Runtime.availableProcessors()} suits a busy registry)
 */
public record RegistryOptions(String name, Keys keys, int partitions) {

    /** The kind of keys a registry holds. */
    public enum Keys {
        /** A key has at most one live process; a second registration is refused. */
        UNIQUE,
        /** A key has any number of processes, each possibly several times. */
        DUPLICATE
    }

    /**
     * Checks the options.
     *
     * @throws NullPointerException if {@code name} or {@code keys} is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code partitions < 1}
     */
    public RegistryOptions {
        Objects.requireNonNull(name, "registry name must not be null");
        Objects.requireNonNull(keys, "keys must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("registry name must not be blank, got \"" + name + "\"");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
    }

    /**
     * Options for a unique registry.
     *
     * @param name the registry's name; not blank
     * @return options for a registry of unique keys named {@code name}, one partition
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static RegistryOptions unique(String name) {
        return new RegistryOptions(name, Keys.UNIQUE, 1);
    }

    /**
     * Options for a duplicate registry.
     *
     * @param name the registry's name; not blank
     * @return options for a registry of duplicate keys named {@code name}, one partition
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static RegistryOptions duplicate(String name) {
        return new RegistryOptions(name, Keys.DUPLICATE, 1);
    }

    /**
     * Returns a copy with another partition count.
     *
     * @param partitions how many tables the entries are spread over; at least 1
     * @return these options with {@code partitions} partitions
     * @throws IllegalArgumentException if {@code partitions < 1}
     */
    public RegistryOptions withPartitions(int partitions) {
        return new RegistryOptions(name, keys, partitions);
    }
}
