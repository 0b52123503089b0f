package io.otpj.dashboard;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link Dashboard} is served: where it listens, how often it refreshes, how much history it
 * keeps, and whether its actions (kill a process, restart a child) are on. Immutable; the withers
 * return copies, and check their argument at once.
 *
 * <p>Defaults ({@link #defaults()}): {@code 127.0.0.1}, port 4000, a refresh each second, the
 * last 100 crashes and restarts, actions off.
 *
 * @param bindAddress the address to listen on; only the loopback address by default, so the page
 *     is reachable from this machine only
 * @param port the TCP port; 0 lets the system choose one (see {@link Dashboard#uri()})
 * @param actionToken when present, actions are on and each must carry this token (header
 *     {@code X-Otpj-Token}); when empty, every action is refused with 403
 * @param refresh how often the page gets a new snapshot
 * @param history how many crashes and restarts the page keeps
 */
public record DashboardOptions(InetAddress bindAddress, int port, Optional<String> actionToken, Duration refresh,
        int history) {

    /** The shortest token accepted: 16 characters. */
    public static final int MIN_TOKEN_LENGTH = 16;

    /**
     * Checks every component.
     *
     * @throws NullPointerException naming a null component
     * @throws IllegalArgumentException naming a port outside 0..65535, a token shorter than
     *     {@link #MIN_TOKEN_LENGTH} or with characters other than printable ASCII, a refresh below
     *     50 ms or above an hour, or a history outside 1..10,000
     */
    public DashboardOptions {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(actionToken, "actionToken");
        Objects.requireNonNull(refresh, "refresh");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535: " + port);
        }
        actionToken.ifPresent(t -> {
            if (t.length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException("the action token must have at least " + MIN_TOKEN_LENGTH
                        + " characters (it has " + t.length() + ")");
            }
            if (!t.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new IllegalArgumentException("the action token must be printable ASCII without spaces");
            }
        });
        if (refresh.compareTo(Duration.ofMillis(50)) < 0 || refresh.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("refresh must be between 50 ms and 1 h: " + refresh);
        }
        if (history < 1 || history > 10_000) {
            throw new IllegalArgumentException("history must be in 1..10000: " + history);
        }
    }

    /**
     * The defaults: loopback, port 4000, refresh 1 s, history 100, actions off.
     *
     * @return the default options
     */
    public static DashboardOptions defaults() {
        return new DashboardOptions(InetAddress.getLoopbackAddress(), 4000, Optional.empty(), Duration.ofSeconds(1), 100);
    }

    /**
     * These options on another port.
     *
     * @param port 0..65535; 0 lets the system choose
     * @return a copy with {@code port}
     * @throws IllegalArgumentException if {@code port} is out of range
     */
    public DashboardOptions withPort(int port) {
        return new DashboardOptions(bindAddress, port, actionToken, refresh, history);
    }

    /**
     * These options on another address. Anything but a loopback address makes the page (and, with
     * a token, the actions) reachable from the network: put it behind a TLS proxy.
     *
     * @param address the address to listen on
     * @return a copy with {@code address}
     * @throws NullPointerException if {@code address} is null
     */
    public DashboardOptions withBindAddress(InetAddress address) {
        return new DashboardOptions(address, port, actionToken, refresh, history);
    }

    /**
     * These options with actions on, each one authorised by {@code token}. The dashboard never
     * prints the token; the operator gives it to the page (it asks once and keeps it for the
     * browser tab).
     *
     * @param token at least {@link #MIN_TOKEN_LENGTH} printable ASCII characters
     * @return a copy with actions on
     * @throws NullPointerException if {@code token} is null
     * @throws IllegalArgumentException if the token is too short or has other characters
     */
    public DashboardOptions withActions(String token) {
        return new DashboardOptions(bindAddress, port, Optional.of(Objects.requireNonNull(token, "token")), refresh, history);
    }

    /**
     * These options with another refresh interval.
     *
     * @param every between 50 ms and 1 h
     * @return a copy with {@code every}
     * @throws IllegalArgumentException if out of range
     */
    public DashboardOptions withRefresh(Duration every) {
        return new DashboardOptions(bindAddress, port, actionToken, every, history);
    }

    /**
     * These options keeping another number of crashes and restarts.
     *
     * @param entries 1..10,000
     * @return a copy with {@code entries}
     * @throws IllegalArgumentException if out of range
     */
    public DashboardOptions withHistory(int entries) {
        return new DashboardOptions(bindAddress, port, actionToken, refresh, entries);
    }

    /**
     * The options with the token redacted: safe to log.
     *
     * @return a description naming whether actions are on, never the token
     */
    @Override
    public String toString() {
        return "DashboardOptions[bindAddress=" + bindAddress.getHostAddress() + ", port=" + port + ", actions="
                + (actionToken.isPresent() ? "on (token redacted)" : "off") + ", refresh=" + refresh + ", history="
                + history + "]";
    }
}
