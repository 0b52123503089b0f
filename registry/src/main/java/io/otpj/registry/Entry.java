package io.otpj.registry;

import io.otpj.core.Pid;

/**
 * One registration: {@code pid} registered {@code key} with {@code value}. Elixir's
 * {@code {pid, value}} pairs, with the key kept so that {@link Registry#select} results stand
 * alone.
 *
 * <p>An entry is a snapshot taken when it was read: the process may have died or changed the
 * value since. {@code value} may be null (via-name registrations carry no value).
 *
 * @param <K> the key type
 * @param <V> the value type
 * @param key the registered key
 * @param pid the process that registered it
 * @param value its value when the entry was read; may be null
 */
public record Entry<K, V>(K key, Pid pid, V value) {
    /**
     * Checks the key and the pid.
     *
     * @throws NullPointerException if {@code key} or {@code pid} is null
     */
    public Entry {
        java.util.Objects.requireNonNull(key, "key must not be null");
        java.util.Objects.requireNonNull(pid, "pid must not be null");
    }
}
