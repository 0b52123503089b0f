package io.otpj.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * The part of a process control block that its own thread writes while it runs: the first link of
 * the layout chain {@link Waiter} → {@code PcbOwnerFields} → {@link PcbRelations} →
 * {@link Mailbox} → {@link Pcb}. The JVM lays out a superclass's fields before its subclass's, so
 * these fields, written at every effect and every wait, come first, and {@link PcbRelations}, the
 * rarely written part, keeps them at least a cache line away from {@link Mailbox}'s fields, which
 * every sender to this process reads: a busy process's own writes never invalidate the line its
 * senders read.
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>writer</th><th>readers</th><th>access</th><th>why</th></tr>
 *   <tr><td>{@code gate}</td><td>owner (enter/leave), the decider of its exit (once)</td>
 *       <td>both</td><td>CAS, getAndBitwiseOr</td><td>the effect gate: see {@link Pcb#enter}</td></tr>
 *   <tr><td>{@code gateDepth}</td><td>owner</td><td>owner</td><td>plain</td><td>nesting of
 *       effects (an exit hook run inside an effect may perform effects itself)</td></tr>
 *   <tr><td>{@code running}</td><td>owner</td><td>partners spinning for it</td><td>opaque</td>
 *       <td>a hint for {@link Pcb#onCarrier}: 1 while its thread runs outside an otpj park, 0
 *       before it first runs and while it is parked in an otpj wait</td></tr>
 *   <tr><td>{@code flags}</td><td>owner</td><td>owner</td><td>plain</td><td>small owner-only
 *       facts, such as whether the process has received a message yet</td></tr>
 *   <tr><td>{@code partner}</td><td>owner</td><td>owner</td><td>plain</td><td>the caller this
 *       process last answered while that caller was still spinning</td></tr>
 *   <tr><td>{@code saved}</td><td>owner</td><td>owner</td><td>plain</td><td>messages a selective
 *       receive passed over, in arrival order</td></tr>
 * </table>
 * Every field is 4 bytes wide (compressed references included), so no gap is left for a field of
 * a subclass.
 */
abstract class PcbOwnerFields extends Waiter {

    /** Gate bit: the owner is inside an effect. */
    static final int IN = 1;
    /** Gate bit: the exit is decided; the owner must not start another effect. */
    static final int DECIDED = 2;
    /** Gate bit: the exit was decided by another thread than the owner (a kill, a signal). */
    static final int REMOTE = 4;

    static final VarHandle GATE, RUNNING;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            GATE = l.findVarHandle(PcbOwnerFields.class, "gate", int.class);
            RUNNING = l.findVarHandle(PcbOwnerFields.class, "running", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through GATE
    private volatile int gate;
    int gateDepth;
    @SuppressWarnings("unused") // accessed through RUNNING
    private volatile int running;
    int flags;
    Pcb partner;
    ArrayDeque<Object> saved;

    /** Owner thread, just before it parks in an otpj wait. Opaque: a hint, see the table. */
    final void parking() {
        RUNNING.setOpaque(this, 0);
    }

    /** Owner thread, when it runs again after a park (and when it first runs). */
    final void unparked() {
        RUNNING.setOpaque(this, 1);
    }

    /** @return the hint: whether the owner's thread runs outside an otpj park right now */
    final boolean runningHint() {
        return (int) RUNNING.getOpaque(this) != 0;
    }
}
