package io.otpj.core;

import java.util.List;
import java.util.Optional;

/**
 * A snapshot of a live process, as {@code Process.info/1} gives: each field was read at a
 * slightly different instant, so treat it as diagnostics, not as a synchronisation point.
 *
 * @param pid the process
 * @param messageQueueLength messages queued and not yet received
 * @param links the processes linked to it
 * @param monitoredBy how many monitors watch it
 * @param trapExit whether it traps exits
 * @param registeredName its local name, if any
 */
public record ProcessInfo(Pid pid, int messageQueueLength, List<Pid> links, int monitoredBy, boolean trapExit,
        Optional<Object> registeredName) {
}
