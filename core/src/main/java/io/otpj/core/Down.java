package io.otpj.core;

/**
 * The message a monitoring process receives when the monitored process exits:
 * {@code {:DOWN, ref, :process, pid, reason}}. Exactly one per monitor, unless the monitor was
 * removed with {@link Proc#demonitor(MonitorRef, boolean)} first. Monitoring a process that is
 * already dead delivers {@code Down(ref, pid, noproc)} at once (after its exit hooks, if it is still
 * running them).
 */
public record Down(MonitorRef ref, Pid pid, ExitReason reason) {
}
