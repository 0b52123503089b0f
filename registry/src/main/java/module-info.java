/**
 * otpj registry: Elixir's {@code Registry} (unique and duplicate keys, partitions, via-names
 * for GenServers) and a local {@code Phoenix.PubSub} counterpart built on it. Only
 * {@code io.otpj.registry} is exported; the tables and their server are package-private.
 */
module io.otpj.registry {
    requires transitive io.otpj.core;

    exports io.otpj.registry;
}
