package io.otpj.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Node} is set up. Immutable and thread-safe; start from {@link #named(String)} and
 * change one setting at a time with the {@code with...} methods, each of which returns a new
 * value:
 * {@snippet :
 * Node node = Node.start(NodeOptions.named("payments@host")
 *         .withCallTimeout(Duration.ofSeconds(2))
 *         .withShutdownTimeout(Duration.ofSeconds(10)));
 * }
 *
 * @param name the node's name: one to 200 characters, none of them white space, {@code <},
 *     {@code >} or {@code ,}; two nodes that are running in one JVM never share it
 * @param callTimeout the timeout of {@link GenServer#call(ServerRef, Object)} and the
 *     {@link Sys} calls made from this node's processes (and from a thread bound to the node);
 *     default 5 s; must be positive, {@link Proc#INFINITY} allowed
 * @param shutdownTimeout how long {@link Node#stop()} and the JVM shutdown hook give the
 *     applications to stop before what is left is killed; default 30 s; not negative
 * @param shutdownHook whether the node registers a JVM shutdown hook that stops it (so
 *     {@code kill -TERM} runs every {@code terminate} that OTP would run); default true
 * @param mailboxChunk the size of each chunk of a mailbox's queue, for processes of this node:
 *     a power of two from 2 to 2<sup>20</sup>; default 32 (or {@code -Dotpj.mailbox.chunk})
 */
public record NodeOptions(String name, Duration callTimeout, Duration shutdownTimeout, boolean shutdownHook,
        int mailboxChunk) {

    /** The default of {@link #callTimeout}: 5 seconds, as Elixir's. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);
    /** The default of {@link #shutdownTimeout}: 30 seconds. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Checks every setting.
     *
     * @throws NullPointerException if a duration or the name is null
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public NodeOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (name.isEmpty() || name.length() > 200) {
            throw new IllegalArgumentException("a node name needs 1 to 200 characters, got " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '<' || c == '>' || c == ',') {
                throw new IllegalArgumentException("a node name must not contain white space, '<', '>' or ',': \""
                        + name + "\"");
            }
        }
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive, got " + callTimeout);
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdownTimeout must not be negative, got " + shutdownTimeout);
        }
        if (mailboxChunk < 2 || mailboxChunk > 1 << 20 || Integer.bitCount(mailboxChunk) != 1) {
            throw new IllegalArgumentException("mailboxChunk must be a power of two from 2 to 2^20, got " + mailboxChunk);
        }
    }

    /**
     * The default settings under {@code name}.
     *
     * @param name the node's name, as for {@link #name()}
     * @return options with every other setting at its default
     * @throws IllegalArgumentException if the name is not allowed
     */
    public static NodeOptions named(String name) {
        return new NodeOptions(name, DEFAULT_CALL_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT, true, Mailbox.CHUNK);
    }

    /**
     * Returns these options with another call timeout.
     *
     * @param timeout the new {@link #callTimeout()}
     * @return the new options
     */
    public NodeOptions withCallTimeout(Duration timeout) {
        return new NodeOptions(name, timeout, shutdownTimeout, shutdownHook, mailboxChunk);
    }

    /**
     * Returns these options with another shutdown deadline.
     *
     * @param timeout the new {@link #shutdownTimeout()}
     * @return the new options
     */
    public NodeOptions withShutdownTimeout(Duration timeout) {
        return new NodeOptions(name, callTimeout, timeout, shutdownHook, mailboxChunk);
    }

    /**
     * Returns these options with or without the JVM shutdown hook.
     *
     * @param on the new {@link #shutdownHook()}
     * @return the new options
     */
    public NodeOptions withShutdownHook(boolean on) {
        return new NodeOptions(name, callTimeout, shutdownTimeout, on, mailboxChunk);
    }

    /**
     * Returns these options with another mailbox chunk size.
     *
     * @param chunk the new {@link #mailboxChunk()}
     * @return the new options
     */
    public NodeOptions withMailboxChunk(int chunk) {
        return new NodeOptions(name, callTimeout, shutdownTimeout, shutdownHook, chunk);
    }
}
