package io.otpj.cluster;

import io.otpj.core.Pid;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * How the values that cross nodes (messages, call requests and replies, terms of exit reasons,
 * registered names) are written and read. The default is {@link TermCodec}; a cluster uses the
 * one in its {@link ClusterOptions}, and every node of a cluster must use compatible ones.
 *
 * <p>Contract: {@link #write} either writes the whole value or throws
 * {@link IllegalArgumentException} naming what cannot be written (then the send that asked for it
 * fails at the sender, and nothing is sent); {@link #read} reads what {@code write} wrote and
 * throws {@link IllegalArgumentException} for anything it refuses to build (a class not on its
 * allowlist), before loading or instantiating it. Pids are written with the {@link Pids} given,
 * which turns them back into usable pids on the other node. Implementations must be thread-safe:
 * every process of a node writes through the same codec.
 */
public interface Codec {

    /**
     * Writes {@code value}.
     *
     * @param value the value (may be null)
     * @param out where to write it
     * @param pids writes the pids inside {@code value}
     * @throws IllegalArgumentException if {@code value} (or something inside it) cannot be written
     * @throws IOException if {@code out} fails
     */
    void write(Object value, DataOutput out, Pids pids) throws IOException;

    /**
     * Reads a value {@link #write} wrote.
     *
     * @param in where to read it from
     * @param pids reads the pids inside it
     * @return the value (may be null)
     * @throws IllegalArgumentException if the value is refused (not on the allowlist) or malformed
     * @throws IOException if {@code in} fails or ends early
     */
    Object read(DataInput in, Pids pids) throws IOException;

    /** Writes and reads pids for a codec: a pid read on another node reaches the same process. */
    interface Pids {
        /**
         * Writes a pid.
         *
         * @param pid the pid
         * @param out where to write it
         * @throws IOException if {@code out} fails
         */
        void write(Pid pid, DataOutput out) throws IOException;

        /**
         * Reads a pid {@link #write} wrote, on any node.
         *
         * @param in where to read it from
         * @return the pid: a local process, a remote one, or a dead one
         * @throws IOException if {@code in} fails
         */
        Pid read(DataInput in) throws IOException;
    }
}
