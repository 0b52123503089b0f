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

    /** A node-wide local name. */
    record Local(Object key) implements Name {
        public Local {
            Objects.requireNonNull(key, "name key must not be null");
        }
        @Override public String toString() { return "name:" + key; }
    }

    /** A key resolved through a {@link NameRegistry}. */
    record Via(NameRegistry registry, Object key) implements Name {
        public Via {
            Objects.requireNonNull(registry, "registry must not be null");
            Objects.requireNonNull(key, "via key must not be null");
        }
        @Override public String toString() { return "via:" + registry + ":" + key; }
    }

    /** @return a local name for {@code key}; throws {@link NullPointerException} for null */
    static Name local(Object key) { return new Local(key); }

    /** @return a via-name: {@code key} in {@code registry} */
    static Name via(NameRegistry registry, Object key) { return new Via(registry, key); }
}
