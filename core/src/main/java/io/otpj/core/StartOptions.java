package io.otpj.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of a GenServer start, Elixir's {@code GenServer.start_link(module, arg, opts)}:
 * {@code name:}, {@code timeout:}, {@code hibernate_after:} and {@code debug: [:trace]}.
 * Immutable; start from {@link #defaults()} and change one option at a time.
 * {@snippet :
 * GenServer.startLink(new Ledger(), config, StartOptions.defaults()
 *         .withName(Name.local("ledger"))
 *         .withTimeout(Duration.ofSeconds(5))           // init must finish within 5 s
 *         .withHibernateAfter(Duration.ofSeconds(30)));  // hibernate after 30 s idle
 * }
 *
 * @param name the name to register the server under, or null for none
 * @param timeout how long {@code init} may take: past it the half-started server is killed and
 *     the start returns {@code Failed(timeout)}; {@link Proc#INFINITY} (the default) waits
 *     forever
 * @param hibernateAfter how long the server may wait idle, with no timeout of its own, before it
 *     hibernates (its thread ends until its next message: see {@link Action.Hibernate});
 *     {@link Proc#INFINITY} (the default) never
 * @param trace whether the server logs every message it handles from the start, as
 *     {@link Sys#trace(ServerRef, boolean)} would ({@code debug: [:trace]})
 * @param hotMailbox whether the server gets a mailbox laid out for heavy traffic (see
 *     {@link #withHotMailbox})
 * @param mailboxLimit the bound of the server's mailbox, or null for none (the default, as in
 *     OTP; see {@link #withMailboxLimit})
 */
public record StartOptions(Name name, Duration timeout, Duration hibernateAfter, boolean trace, boolean hotMailbox,
        MailboxLimit mailboxLimit) {

    private static final StartOptions DEFAULTS = new StartOptions(null, Proc.INFINITY, Proc.INFINITY, false, false, null);

    /**
     * Checks the durations.
     *
     * @throws NullPointerException if a duration is null
     * @throws IllegalArgumentException if a duration is negative or zero
     */
    public StartOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(hibernateAfter, "hibernateAfter");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (hibernateAfter.isNegative() || hibernateAfter.isZero()) {
            throw new IllegalArgumentException("hibernateAfter must be positive, got " + hibernateAfter);
        }
    }

    /**
     * No name, no start timeout, no hibernation, no trace.
     *
     * @return the default options
     */
    public static StartOptions defaults() {
        return DEFAULTS;
    }

    /**
     * These options with a name.
     *
     * @param n the name (not null)
     * @return the new options
     */
    public StartOptions withName(Name n) {
        return new StartOptions(Objects.requireNonNull(n, "name"), timeout, hibernateAfter, trace, hotMailbox, mailboxLimit);
    }

    /**
     * These options with a start timeout.
     *
     * @param t how long {@code init} may take
     * @return the new options
     */
    public StartOptions withTimeout(Duration t) {
        return new StartOptions(name, t, hibernateAfter, trace, hotMailbox, mailboxLimit);
    }

    /**
     * These options with an idle time before hibernation. A server started with it is taken to be
     * idle most of its life and gets a <em>compact mailbox</em> (unless {@link #withHotMailbox}):
     * its queue links chunks of 16 slots instead of 32, which takes 64 bytes off every idle or
     * hibernated server that has had a message (560 → 496 B hibernated, measured with the heap
     * probe of {@code docs/benchmarks.md}; a server that has had none has no queue at all) and makes a burst link a new chunk twice as often (four producers
     * casting to one server measured 0.88× the default mailbox's rate). Ordering and delivery are
     * the same.
     *
     * @param after the idle time
     * @return the new options
     */
    public StartOptions withHibernateAfter(Duration after) {
        return new StartOptions(name, timeout, after, trace, hotMailbox, mailboxLimit);
    }

    /**
     * These options with tracing on or off.
     *
     * @param on whether to trace
     * @return the new options
     */
    public StartOptions withTrace(boolean on) {
        return new StartOptions(name, timeout, hibernateAfter, on, hotMailbox, mailboxLimit);
    }

    /**
     * These options with a hot mailbox or the default one. A hot mailbox is JCTools' padded
     * MPSC queue ({@code MpscUnboundedAtomicArrayQueue}): its producers' and consumer's indexes
     * sit on separate cache lines, so a server that takes a stream of casts from other cores
     * does not pay a cache-line transfer per message on the consumer's side. It costs about
     * 500 bytes more per process, so give it to the few servers that take most of the traffic
     * (the partitions of a PartitionSupervisor, a ledger, a router), not to every process.
     * Semantics are the same: ordering per sender, no message lost, the same wake-up protocol.
     * The measured difference is in {@code docs/benchmarks.md}.
     *
     * @param on whether the server's mailbox is hot
     * @return the new options
     */
    public StartOptions withHotMailbox(boolean on) {
        return new StartOptions(name, timeout, hibernateAfter, trace, on, mailboxLimit);
    }

    /**
     * These options with a bounded mailbox, or with {@code null} an unbounded one (the default):
     * past {@link MailboxLimit#max()} queued messages, casts and sends are dropped and calls fail
     * with {@link MailboxFullException}, or the server is killed with {@code mailbox_full},
     * as {@code limit} says. Use it for servers that must shed load rather than grow without
     * limit; see {@link MailboxLimit}.
     *
     * @param limit the bound, or null for none
     * @return the new options
     */
    public StartOptions withMailboxLimit(MailboxLimit limit) {
        return new StartOptions(name, timeout, hibernateAfter, trace, hotMailbox, limit);
    }
}
