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
     * <p>A GenServer started under a {@link Name.Via} calls this from its own new process, with
     * its own pid, before {@code init} runs. A result of {@code null} or {@code pid} itself lets
     * the start go on; any other pid {@code holder} fails it with
     * {@code {already_started, holder}}; an exception thrown here fails it with a
     * {@linkplain ExitReason.Crash crash} carrying that exception.
     *
     * @param key the key to register, as given in the {@link Name.Via}
     * @param pid the process to register under {@code key}
     * @return {@code null} when {@code pid} now holds the key, or the live process that
     *     already holds it
     */
    Pid registerName(Object key, Pid pid);

    /**
     * Removes {@code key} if it is registered; does nothing otherwise. {@code core} never calls
     * it: an implementation releases a dead process's names itself (see the class comment).
     *
     * @param key the key to remove
     */
    void unregisterName(Object key);

    /**
     * Looks up {@code key}. Called each time {@code core} resolves a {@link Name.Via}: a send,
     * call, cast, stop or {@code whereis} addressed to it, on the caller's thread, and a timer
     * addressed to it, on its node's timer thread when it fires (one thread for every timer of the
     * node: a slow lookup there delays all of them).
     *
     * @param key the key to look up
     * @return the live process registered under {@code key}, or {@code null}
     */
    Pid whereisName(Object key);
}
