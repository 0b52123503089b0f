package io.otpj.core;

/**
 * Something a message, call or cast can be addressed to: a {@link Pid} or a {@link Name}.
 *
 * <p>A {@code Pid} always denotes the same process; a {@code Name} is resolved at each use,
 * so after a supervisor restarts a named child the same name reaches the new process.
 */
public sealed interface ServerRef permits Pid, Name {
}
