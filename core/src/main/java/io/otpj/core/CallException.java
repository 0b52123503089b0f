package io.otpj.core;

import java.io.Serial;
import java.util.Objects;

/**
 * Why a {@link GenServer#call call} did not return a reply. Each failure mode is its own
 * subclass, and each carries the {@link ExitReason} Erlang would have exited the caller with:
 *
 * <ul>
 *   <li>{@link NoProcException}: no process under that name, or it was already dead ({@code noproc});</li>
 *   <li>{@link CallTimeoutException}: no reply within the timeout ({@code timeout});</li>
 *   <li>{@link ServerExitedException}: the server died while the call was pending; the reason is
 *       the server's exit reason, delivered at once, not after the timeout;</li>
 *   <li>{@link CallingSelfException}: a process called itself ({@code calling_self});</li>
 *   <li>{@link CallInterruptedException}: the calling (non-process) thread was interrupted.</li>
 * </ul>
 *
 * <p>Unlike Erlang, where the caller exits, these are ordinary unchecked exceptions: an uncaught
 * one crashes the calling process, a caught one leaves it running. A reply that arrives after
 * the call failed is dropped: it can never be taken for the answer to another call.
 */
public abstract sealed class CallException extends RuntimeException
        permits NoProcException, CallTimeoutException, ServerExitedException, CallingSelfException,
                CallInterruptedException, MailboxFullException {
    @Serial
    private static final long serialVersionUID = 1L;


    private final transient ExitReason reason;
    private final transient ServerRef server;

    CallException(String message, ExitReason reason, ServerRef server) {
        super(message);
        this.reason = Objects.requireNonNull(reason);
        this.server = server;
    }

    /**
     * Returns the exit reason this failure stands for.
     *
     * @return {@code noproc}, {@code timeout}, the server's exit reason, {@code calling_self} or
     *     {@code interrupted}, by subclass as listed in the class comment
     */
    public ExitReason reason() {
        return reason;
    }

    /**
     * Returns the server the call was addressed to, as the caller gave it.
     *
     * @return the pid or name the call was addressed to (a name is not resolved to a pid)
     */
    public ServerRef server() {
        return server;
    }
}
