package io.otpj.core;

/**
 * The message a monitoring process receives when the monitored process exits:
 * {@code {:DOWN, ref, :process, pid, reason}}. Exactly one per monitor, unless the monitor was
 * removed with {@link Proc#demonitor(MonitorRef, boolean)} first. Monitoring a process that is
 * already dead delivers {@code Down(ref, pid, noproc)} at once (after its exit hooks, if it is still
 * running them).
 *
 * @param ref the monitor this DOWN belongs to, as returned by {@link Proc#monitor(Pid)}
 * @param pid the monitored process
 * @param reason its exit reason, or {@code noproc} if it was already dead (or its exit already
 *     decided) when the monitor was set
 */
public record Down(MonitorRef ref, Pid pid, ExitReason reason) {
}
