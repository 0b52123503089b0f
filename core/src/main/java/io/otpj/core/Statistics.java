package io.otpj.core;

import java.time.Instant;

/**
 * What {@link Sys#statistics} reports about a running GenServer: counts since it started.
 *
 * @param startedAt when {@code init} returned
 * @param messagesIn messages the server took from its mailbox (calls, casts, infos, system requests)
 * @param calls calls handled
 * @param casts casts handled
 * @param infos other messages handled, idle timeouts included
 * @param hibernations times it hibernated ({@code hibernate} actions, and {@code hibernate_after})
 * @param mailboxLength messages waiting when the statistics were taken
 */
public record Statistics(Instant startedAt, long messagesIn, long calls, long casts, long infos, long hibernations, int mailboxLength) {
}
