package io.otpj.core;

/** Shared instances of the reasons without fields (records compare by value anyway). */
final class Reasons {
    static final ExitReason NORMAL = new ExitReason.Normal();
    static final ExitReason SHUTDOWN = new ExitReason.Shutdown();
    static final ExitReason KILL = new ExitReason.Kill();
    static final ExitReason KILLED = new ExitReason.Killed();
    static final ExitReason NOPROC = new ExitReason.NoProc();
    static final ExitReason NOCONNECTION = new ExitReason.NoConnection();
    static final ExitReason TIMEOUT = new ExitReason.Timeout();
    static final ExitReason CALLING_SELF = new ExitReason.Term("calling_self");

    private Reasons() {}
}
