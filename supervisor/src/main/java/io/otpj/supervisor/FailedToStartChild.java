package io.otpj.supervisor;

import io.otpj.core.ExitReason;
import java.util.Objects;

/**
 * The term of the reason a supervisor's start fails with when one of its children fails to
 * start: the start returns {@code StartResult.Failed(ExitReason.shutdown(new FailedToStartChild(id, reason)))},
 * Erlang's {@code {error, {shutdown, {failed_to_start_child, Id, Reason}}}}. The reason is a
 * {@code shutdown} so no crash report is logged for the supervisor; the child's own failure was
 * logged as {@code child_start_failed}.
 *
 * <pre>{@code
 * if (result instanceof StartResult.Failed(ExitReason.ShutdownWith(FailedToStartChild(var id, var why)))) ...
 * }</pre>
 *
 * @param id the id of the child that failed
 * @param reason why its start failed
 */
public record FailedToStartChild(Object id, ExitReason reason) {
    /**
     * Checks that no component is null.
     *
     * @throws NullPointerException naming the first null component
     */
    public FailedToStartChild {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return "{failed_to_start_child, " + id + ", " + reason + "}";
    }
}
