package io.otpj.core;

/**
 * The caller of a {@link GenServer#call call}, as handed to
 * {@link GenServer#handleCall(Object, From, Object)}: a one-shot reply handle.
 *
 * <p>A server that returns {@code noreply(state)} keeps the {@code From} and answers later with
 * {@link #reply(Object)}, from any thread or process (Elixir's {@code GenServer.reply/2}).
 *
 * <p>Guarantees: the first reply wins; later replies, and replies after the caller timed out or
 * gave up, are dropped silently. A reply can only ever reach the call it belongs to. If the
 * server dies before replying, the caller fails at once with {@link ServerExitedException}. A
 * process whose exit has been decided (killed while it still runs) cannot reply: its reply is
 * refused and it unwinds. Thread-safe. Memory consistency: actions before {@code reply}
 * happen-before the caller's return from {@code call}.
 */
public sealed class From extends Completion permits RequestSet.Member, RemoteFrom {

    final Object request;
    final Pcb server;
    final Pcb caller;

    From(Object request, Pcb server, Pcb caller, Thread waiter) {
        super(waiter);
        this.request = request;
        this.server = server;
        this.caller = caller;
    }

    /**
     * Sends {@code value} (which may be null) as the reply to this call.
     *
     * @param value the reply; the caller's {@code call} returns it
     * @return {@code true} if this was the reply the caller gets, {@code false} if the call had
     *     already been answered, timed out or been abandoned
     */
    public boolean reply(Object value) {
        return Pcb.complete(this, value);
    }

    /**
     * Returns the process that made the call.
     *
     * @return the calling process, or null when the caller is a plain thread
     */
    public Pid caller() {
        return caller == null ? null : caller.pid;
    }

    @Override
    public String toString() {
        return "From[" + (caller != null ? caller.pid.toString() : waiter != null ? waiter.toString() : "a plain thread on another node") + "]";
    }
}
