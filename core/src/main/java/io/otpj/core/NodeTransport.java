package io.otpj.core;

/**
 * The outgoing half of a connection to another node, as the runtime uses it: what a transport
 * (such as {@code otpj-cluster}) implements to carry one node's messages and signals to another.
 * The incoming half is {@link RemoteNode}, whose methods the transport calls with what arrives.
 *
 * <p>Ordering: the runtime calls these methods on the thread of the process whose effect they
 * are (a send, a link, an exit signal) or that is settling a death, in the order the effects
 * happen on that thread. A transport must deliver them to the other node in the order it was
 * called for each pair of processes, as Erlang's distribution does; delivering everything
 * between two nodes in one FIFO order satisfies that.
 *
 * <p>Pids. Every {@code Pid} passed here is either a process of the sending node, the proxy of a
 * process of the receiving node, a proxy of a third node's process (inside a message), or
 * {@code null} for a thread that is not a process. A transport encodes a pid as its node name,
 * creation and id, and the receiving node turns it back with {@link RemoteNode#pid(long)} (for
 * the sender's processes) or its own local lookup.
 *
 * <p>Failures. {@link #send}, {@link #cast}, {@link #call} and {@link #stop} run on the
 * sender's thread: a message that cannot be encoded must throw {@link IllegalArgumentException}
 * naming the problem, which the sender's {@code send}, {@code cast} or {@code call} then throws.
 * Every other method must not throw for an unencodable value: an exit reason is always
 * encodable (a transport falls back to its text), and a reply that cannot be encoded is sent as
 * {@link #replyError}. A transport whose node is gone drops what it is given: the runtime learns
 * of the loss through {@link RemoteNode#disconnect()}.
 */
public interface NodeTransport {

    /**
     * Sends a message to a process of the other node.
     *
     * @param to the receiving process (a proxy)
     * @param message the message
     * @throws IllegalArgumentException if {@code message} cannot be encoded
     */
    void send(Pid to, Object message);

    /**
     * Sends a GenServer cast to a process of the other node.
     *
     * @param to the receiving server (a proxy)
     * @param request the cast's request
     * @throws IllegalArgumentException if {@code request} cannot be encoded
     */
    void cast(Pid to, Object request);

    /**
     * Sends a GenServer call; the other node answers with {@link RemoteNode#reply} or
     * {@link RemoteNode#replyError} naming {@code ref}.
     *
     * @param to the server (a proxy)
     * @param ref this node's number for the call, unique on its connection
     * @param caller the calling process, or null for a plain thread
     * @param request the request
     * @throws IllegalArgumentException if {@code request} cannot be encoded
     */
    void call(Pid to, long ref, Pid caller, Object request);

    /**
     * Asks a server of the other node to stop ({@code GenServer.stop}); answered like a call.
     *
     * @param to the server (a proxy)
     * @param ref this node's number for the request
     * @param caller the calling process, or null
     * @param reason the reason the server is to stop with
     */
    void stop(Pid to, long ref, Pid caller, ExitReason reason);

    /**
     * Answers a call the other node made.
     *
     * @param ref the other node's number for the call
     * @param value the reply (may be null)
     * @throws IllegalArgumentException if {@code value} cannot be encoded (the runtime then sends
     *     {@link #replyError} instead)
     */
    void reply(long ref, Object value);

    /**
     * Answers a call the other node made with a failure the caller throws.
     *
     * @param ref the other node's number for the call
     * @param problem what went wrong, one line
     */
    void replyError(long ref, String problem);

    /**
     * Answers a call the other node made to a server that was already dead when it came: the
     * caller fails as a call to a dead server does.
     *
     * @param ref the other node's number for the call
     * @param reason why ({@code noproc})
     */
    void callFailed(long ref, ExitReason reason);

    /**
     * Links a process of this node to one of the other node: the other half of the link.
     *
     * @param from the process of this node
     * @param to the process of the other node (a proxy)
     */
    void link(Pid from, Pid to);

    /**
     * Removes the other node's half of a link.
     *
     * @param from the process of this node
     * @param to the process of the other node (a proxy)
     */
    void unlink(Pid from, Pid to);

    /**
     * An exit signal ({@code Proc.exit(pid, reason)}) to a process of the other node.
     *
     * @param from the signalling process, or null for a plain thread
     * @param to the process of the other node (a proxy)
     * @param reason the signal
     */
    void exit(Pid from, Pid to, ExitReason reason);

    /**
     * A process ({@code from}) died, or was found dead when linked, and was linked to a process of
     * the other node: the other node applies the link's exit signal.
     *
     * @param from the dead process, of this node
     * @param to the linked process of the other node (a proxy)
     * @param reason why {@code from} is dead
     */
    void linkExit(Pid from, Pid to, ExitReason reason);

    /**
     * Asks the other node to tell, with {@link #died}, when one of its processes dies (sent once
     * per proxy, before its first call or when it gets its first monitor or waiting caller).
     *
     * @param target the process of the other node (a proxy)
     */
    void watch(Pid target);

    /**
     * Tells the other node that a process of this node it asked to {@link #watch} has died.
     *
     * @param target the dead process, of this node
     * @param reason why it died ({@code noproc} if it was already gone when asked)
     */
    void died(Pid target, ExitReason reason);
}
