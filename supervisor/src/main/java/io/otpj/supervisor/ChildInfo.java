package io.otpj.supervisor;

import io.otpj.core.Pid;
import java.util.Objects;
import java.util.Optional;

/**
 * One child as {@link Supervisor#whichChildren} and {@link DynamicSupervisor#whichChildren} report
 * it: Erlang's {@code {Id, Child, Type, Modules}}.
 *
 * @param id the child spec's id (for a dynamic supervisor, whatever id the spec was given; ids
 *     need not be unique there)
 * @param pid the child's process when {@code status} is {@link ChildStatus#RUNNING}, else empty
 * @param status running, restarting or not running
 * @param type worker or supervisor
 */
public record ChildInfo(Object id, Optional<Pid> pid, ChildStatus status, ChildType type) {
    /**
     * Checks that no component is null.
     *
     * @throws NullPointerException naming the first null component
     */
    public ChildInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(type, "type");
    }
}
