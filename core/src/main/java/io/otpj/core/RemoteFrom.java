package io.otpj.core;

/**
 * The {@link From} of a call that came from another node: the server answers it like any call,
 * and the outcome goes back through the connection instead of waking a local waiter. Its first
 * completion wins, as for every call; a server killed before it answers cannot answer, and the
 * caller's node learns of the death through the watch it set.
 */
final class RemoteFrom extends From {

    private final RemoteNode origin;
    private final long ref;

    RemoteFrom(Object request, Pcb server, Pcb caller, RemoteNode origin, long ref) {
        super(request, server, caller, null);
        this.origin = origin;
        this.ref = ref;
    }

    /** Called once, by the completion that won (on the replying thread, inside its effect). */
    void forward(Object outcome) {
        origin.sendReply(ref, outcome);
    }
}
