package io.otpj.core;

/**
 * The message a process that traps exits receives instead of dying:
 * {@code {:EXIT, from, reason}}. It arrives for exit signals from linked processes and from
 * {@link Proc#exit(Pid, ExitReason)}, except {@code kill}, which cannot be trapped.
 */
public record Exit(Pid from, ExitReason reason) {
}
