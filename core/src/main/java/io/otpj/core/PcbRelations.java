package io.otpj.core;

import java.util.ArrayList;
import java.util.HashSet;

/**
 * The rarely written part of a process control block: its relations to other processes, guarded
 * by the block's lock, and the few fields written once in its life. In the layout chain
 * ({@link Waiter} → {@link PcbOwnerFields} → {@code PcbRelations} → {@link Mailbox} → {@link Pcb})
 * this part sits between the owner's hot fields and the fields every sender reads, and is at least
 * 64 bytes long (padded where its own fields fall short), so the two hot groups never share a
 * cache line. {@code PcbLayoutTest} checks the offsets.
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>writer</th><th>readers</th><th>access</th><th>why</th></tr>
 *   <tr><td>{@code links}</td><td>any thread</td><td>any thread</td><td>under the lock</td>
 *       <td>the processes linked to this one; taken (set to null) by the death's tail</td></tr>
 *   <tr><td>{@code watching}</td><td>any thread</td><td>any thread</td><td>under the lock</td>
 *       <td>the monitors this process holds on others, cancelled when it dies</td></tr>
 *   <tr><td>{@code exitHooks}</td><td>any thread</td><td>any thread</td><td>under the lock</td>
 *       <td>{@link Proc#onExit} hooks, run by the death's tail</td></tr>
 *   <tr><td>{@code localName}</td><td>any thread</td><td>any thread</td><td>under the lock</td>
 *       <td>the local name, released by the death's tail</td></tr>
 *   <tr><td>{@code watchHead}</td><td>any thread</td><td>any thread</td><td>under the lock</td>
 *       <td>the intrusive list of {@link DeathWatch}es: callers parked on this process, monitors
 *       on it, timers addressed to it; O(1) to add and remove, no allocation</td></tr>
 *   <tr><td>{@code thread}</td><td>starter (before start), owner (at its end, and as it
 *       hibernates), the waker of a hibernated process (before it starts the new thread)</td>
 *       <td>killers (interrupt), senders that unpark it</td><td>volatile</td><td>the process's
 *       thread; null once it has finished or while it is hibernated, so a held pid keeps no
 *       stack</td></tr>
 *   <tr><td>{@code loop}</td><td>the starter (before the process joins its node's set), the
 *       owner (null, at its end)</td><td>the resumed thread of a hibernated process; {@link
 *       Node#list}</td><td>plain: the starter's store happens before the new thread's start and
 *       before the process is added to its node's {@link ProcessSet} (under the stripe's lock,
 *       which the listing takes too); the owner's store of null at its end is racy, and a
 *       listing that reads null shows no behaviour</td><td>the server behaviour's loop of a
 *       GenServer or gen_statem (null for a plain process): what a hibernated process runs when
 *       it wakes, and what the listing reads a server's counters and current callback
 *       from</td></tr>
 *   <tr><td>{@code setPrev}, {@code setNext}</td><td>starters and owners, under the lock of the
 *       node's {@link ProcessSet} stripe the process is in</td><td>the same, and the node's
 *       listing and stop (under that lock)</td><td>plain, under the stripe's lock</td><td>the
 *       process's place in its node's set of processes: an intrusive list, so membership costs
 *       no node object and no hash table</td></tr>
 *   <tr><td>{@code highWaterReportedAt}</td><td>owner</td><td>owner</td><td>plain</td><td>when
 *       the process last reported its mailbox's high water to JFR, in {@link Waiter#ticks} (0:
 *       never)</td></tr>
 *   <tr><td>{@code remote}</td><td>the constructor of a proxy (once), before the pid is
 *       made</td><td>any thread</td><td>plain; published with the pid's final fields</td><td>for
 *       the stand-in of a process on another node (see {@link RemoteNode}): the connection its
 *       messages, signals, links and watches go through; null for every local process</td></tr>
 *   <tr><td>{@code remoteWatched}</td><td>any thread, under the lock (a proxy's first
 *       watcher)</td><td>the same</td><td>under the lock</td><td>a proxy has asked its node to tell
 *       it of the process's death (sent once)</td></tr>
 *   <tr><td>{@code trapExit}</td><td>owner</td><td>signal senders</td><td>volatile</td>
 *       <td>{@code Process.flag(:trap_exit, _)}</td></tr>
 *   <tr><td>{@code decidedReason}</td><td>the decider of the exit (one CAS)</td><td>the
 *       death's tail; relation changes under the lock</td><td>volatile</td><td>the first step of
 *       deciding an exit: picks the one winner among racing exits before the gate closes and
 *       before {@link Mailbox#exitReason} is published</td></tr>
 *   <tr><td>{@code tailDone}</td><td>the owner, after the tail it ran as it left an
 *       effect</td><td>the decider</td><td>volatile</td><td>lets the decider wait for a tail it
 *       left to the owner (see {@link Pcb#awaitTail})</td></tr>
 *   <tr><td>{@code tailWaiter}</td><td>the decider, before it waits, and again (to null) when
 *       its wait ends</td><td>the owner, after {@code tailDone}</td><td>volatile</td><td>whom to
 *       unpark; with {@code tailDone}, a Dekker pair over volatiles. Cleared so that a dead pid
 *       does not keep its killer's thread; an owner reading null unparks no one, which is right
 *       since the wait is over</td></tr>
 *   <tr><td>{@code node}</td><td>the constructor (once), before the pid is made</td><td>any
 *       thread</td><td>plain; published with the pid's final fields</td><td>the node the process
 *       belongs to (null for the plain-thread stand-in)</td></tr>
 *   <tr><td>{@code suspended}</td><td>owner (a GenServer's sys suspend and resume)</td><td>{@link
 *       Node#list}</td><td>volatile (rarely written)</td><td>a hint for the process listing</td></tr>
 *   <tr><td>{@code settled}</td><td>the death's tail (once)</td><td>waiters on this process</td>
 *       <td>volatile; set under the lock</td><td>the death is settled: name released, exit hooks
 *       run; the watch list is taken and no new watch is accepted</td></tr>
 * </table>
 */
abstract class PcbRelations extends PcbOwnerFields {

    HashSet<Pcb> links;
    HashSet<MonitorRef> watching;
    ArrayList<Runnable> exitHooks;
    Object localName;
    DeathWatch watchHead;
    volatile Thread thread;
    volatile ExitReason decidedReason;
    volatile boolean trapExit;
    volatile boolean settled;
    volatile boolean tailDone;
    volatile Thread tailWaiter;
    Node node;
    volatile boolean suspended;
    // Padding up to 64 bytes (see the class comment). Replace these with real cold fields first.
    ServerLoop loop;
    Pcb setPrev, setNext;
    int highWaterReportedAt;
    RemoteNode remote;
    boolean remoteWatched;
}
