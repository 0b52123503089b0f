package io.otpj.core;

/**
 * The message a process that traps exits receives instead of dying:
 * {@code {:EXIT, from, reason}}. It arrives for exit signals from linked processes and from
 * {@link Proc#exit(Pid, ExitReason)}, except {@code kill}, which cannot be trapped.
 *
 * @param from the process the signal came from: the linked process that exited, the sender of
 *     {@code Proc.exit(pid, reason)}, or {@code <0.0.0>} (never alive) when that was sent from
 *     a thread that is not a process
 * @param reason the signal's reason: the linked process's exit reason ({@code noproc} for a link
 *     to a process that was already dead), or the reason given to {@code Proc.exit(pid, reason)}
 */
public record Exit(Pid from, ExitReason reason) {
}
