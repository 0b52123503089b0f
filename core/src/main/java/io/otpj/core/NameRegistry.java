package io.otpj.core;

/**
 * The name-resolution extension point behind {@link Name.Via}: the Java form of a
 * {@code via} module ({@code register_name/2}, {@code unregister_name/1},
 * {@code whereis_name/1}). The registry module implements it; {@code core} depends on no
 * implementation.
 *
 * <p>Implementations must be thread-safe: these methods are called concurrently from any
 * thread. They must release a name when its process exits, before the process's links and
 * monitors fire; {@link Proc#onExit(Pid, Runnable)} exists for that.
 */
public interface NameRegistry {

    /**
     * Registers {@code pid} under {@code key} if no live process holds it.
     *
     * @return {@code null} when {@code pid} now holds the key, or the live process that
     *     already holds it
     */
    Pid registerName(Object key, Pid pid);

    /** Removes {@code key} if it is registered; does nothing otherwise. */
    void unregisterName(Object key);

    /** @return the live process registered under {@code key}, or {@code null} */
    Pid whereisName(Object key);
}
