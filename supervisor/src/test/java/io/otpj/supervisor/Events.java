package io.otpj.supervisor;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A thread-safe journal of what test children did: starts, terminate calls, deaths. */
final class Events {

    sealed interface Event {
        Object id();
    }
    record Started(Object id, Pid pid) implements Event {}
    record TerminateBegun(Object id, Pid pid, ExitReason reason) implements Event {}
    record TerminateDone(Object id, Pid pid, ExitReason reason) implements Event {}
    record Died(Object id, Pid pid) implements Event {}

    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();

    void add(Event e) {
        events.add(e);
    }

    /** Records the start of {@code pid} and arranges for its death to be recorded, synchronously with it. */
    void started(Object id, Pid pid) {
        add(new Started(id, pid));
        if (!Proc.onExit(pid, () -> add(new Died(id, pid)))) {
            add(new Died(id, pid));
        }
    }

    List<Event> all() {
        return List.copyOf(events);
    }

    <T extends Event> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<Object> deathOrder() {
        return of(Died.class).stream().map(Died::id).toList();
    }

    List<Pid> startedPids() {
        return of(Started.class).stream().map(Started::pid).toList();
    }

    long starts(Object id) {
        return of(Started.class).stream().filter(s -> s.id().equals(id)).count();
    }
}
