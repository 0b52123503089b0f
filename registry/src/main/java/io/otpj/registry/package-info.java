/**
 * Process registries and local pub/sub: the Java form of Elixir's {@code Registry} and of
 * {@code Phoenix.PubSub} on one node.
 *
 * <ul>
 *   <li>{@link io.otpj.registry.Registry}: a named registry of processes under keys, unique
 *       or duplicate, partitioned; its entries disappear the instant their process dies.</li>
 *   <li>{@link io.otpj.registry.Registry#via}: a {@link io.otpj.core.Name} to start, call and
 *       cast to a GenServer by key, as {@code {:via, Registry, {MyRegistry, key}}}.</li>
 *   <li>{@link io.otpj.registry.PubSub}: subscribe the calling process to a topic, broadcast
 *       to every subscriber.</li>
 * </ul>
 */
package io.otpj.registry;
