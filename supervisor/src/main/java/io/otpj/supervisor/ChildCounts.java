package io.otpj.supervisor;

/**
 * Child counts as {@link Supervisor#countChildren} reports them: Erlang's {@code count_children}.
 *
 * @param specs all children the supervisor knows, running or not
 * @param active children with a running process
 * @param supervisors children of type {@link ChildType#SUPERVISOR}, running or not
 * @param workers children of type {@link ChildType#WORKER}, running or not
 */
public record ChildCounts(int specs, int active, int supervisors, int workers) {
}
