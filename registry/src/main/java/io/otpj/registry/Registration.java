package io.otpj.registry;

import io.otpj.core.Pid;
import java.util.Objects;

/**
 * The outcome of {@link Registry#register}: Elixir's {@code {:ok, owner}} or
 * {@code {:error, {:already_registered, pid}}}.
 *
 * <pre>{@code
 * switch (registry.register(campaignId, meta)) {
 *     case Registration.Registered r -> ...;
 *     case Registration.AlreadyRegistered(Pid holder) -> ...;
 * }
 * }</pre>
 */
public sealed interface Registration {

    /** The calling process now holds the entry. */
    record Registered() implements Registration {}

    /**
     * A unique key was taken: {@code holder} was its live owner when the registration was
     * refused (possibly the calling process itself). Never returned by a duplicate registry.
     *
     * @param holder the process holding the key; it may have died since
     */
    record AlreadyRegistered(Pid holder) implements Registration {
        /**
         * Checks the holder.
         *
         * @throws NullPointerException if {@code holder} is null
         */
        public AlreadyRegistered {
            Objects.requireNonNull(holder, "holder");
        }
    }

    /**
     * Tells the two outcomes apart without a switch.
     *
     * @return whether the registration succeeded
     */
    default boolean isRegistered() {
        return this instanceof Registered;
    }
}
