package io.otpj.core;

import java.util.Objects;

/**
 * A name a process can be registered and reached under.
 *
 * <ul>
 *   <li>{@link Local}: a node-wide name, as with Erlang's {@code register/2} or a GenServer's
 *       {@code name: MyServer}.</li>
 *   <li>{@link Via}: a key in a {@link NameRegistry}, as with Elixir's
 *       {@code {:via, Registry, {MyRegistry, key}}}.</li>
 * </ul>
 *
 * <p>Keys are ordinary Java objects compared with {@code equals}/{@code hashCode}; nothing is
 * interned, so dynamic names (a campaign id, a tuple-like record) cost nothing after they are
 * released. A name is released when its process dies, before links and monitors are told.
 */
public sealed interface Name extends ServerRef {

    /**
     * A node-wide local name: the same table as {@link Proc#register(Object, Pid)} and
     * {@link Proc#whereis(Object)}, so {@code Name.local(k)} reaches the process registered as
     * {@code k}.
     *
     * @param key the name, compared with {@code equals}/{@code hashCode}
     */
    record Local(Object key) implements Name {
        /**
         * Creates a local name.
         *
         * @throws NullPointerException if {@code key} is null
         */
        public Local {
            Objects.requireNonNull(key, "name key must not be null");
        }
        @Override public String toString() { return "name:" + key; }
    }

    /**
     * A key resolved through a {@link NameRegistry}: registered with
     * {@link NameRegistry#registerName} when a server starts under it, looked up with
     * {@link NameRegistry#whereisName} at each use.
     *
     * @param registry the registry that resolves {@code key}
     * @param key the key within {@code registry}
     */
    record Via(NameRegistry registry, Object key) implements Name {
        /**
         * Creates a via-name.
         *
         * @throws NullPointerException if {@code registry} or {@code key} is null
         */
        public Via {
            Objects.requireNonNull(registry, "registry must not be null");
            Objects.requireNonNull(key, "via key must not be null");
        }
        @Override public String toString() { return "via:" + registry + ":" + key; }
    }

    /**
     * Returns a local name for {@code key}.
     *
     * @param key the name, compared with {@code equals}/{@code hashCode}
     * @return a local name for {@code key}
     * @throws NullPointerException if {@code key} is null
     */
    static Name local(Object key) { return new Local(key); }

    /**
     * Returns a via-name: {@code key} in {@code registry}.
     *
     * @param registry the registry that resolves {@code key}
     * @param key the key within {@code registry}
     * @return a via-name: {@code key} in {@code registry}
     * @throws NullPointerException if {@code registry} or {@code key} is null
     */
    static Name via(NameRegistry registry, Object key) { return new Via(registry, key); }
}
