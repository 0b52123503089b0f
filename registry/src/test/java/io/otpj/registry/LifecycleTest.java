package io.otpj.registry;

import static io.otpj.registry.TestSupport.freshName;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.Down;
import io.otpj.core.Exit;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.NoProcException;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartException;
import io.otpj.core.StartResult;
import io.otpj.core.Sys;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A registry is a process: started, named, linked, supervised, stopped and restarted. */
class LifecycleTest {

    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void startedRegistryIsNamedAndFindable() {
        String name = freshName("life");
        Registry<String, Integer> reg = Registry.start(RegistryOptions.unique(name).withPartitions(2));
        try {
            assertEquals(name, reg.name());
            assertEquals(RegistryOptions.unique(name).withPartitions(2), reg.options());
            assertEquals(Optional.of(reg.pid()), GenServer.whereis(Name.local(name)));
            assertEquals(Optional.of(reg), Registry.named(name));
            assertEquals(Optional.empty(), PubSub.named(name), "a plain registry is not a pub/sub");
        } finally {
            GenServer.stop(reg.pid());
        }
        assertEquals(Optional.empty(), Registry.named(name));
        assertEquals(Optional.empty(), GenServer.whereis(Name.local(name)));
    }

    @Test
    void aTakenNameFailsTheStart() {
        String name = freshName("life");
        Registry<String, Integer> reg = Registry.start(RegistryOptions.unique(name));
        try {
            StartException e = assertThrows(StartException.class, () -> Registry.start(RegistryOptions.duplicate(name)));
            assertEquals(new StartResult.Failed(new ExitReason.AlreadyStarted(reg.pid())), e.result());
            assertEquals(RegistryOptions.Keys.UNIQUE, reg.options().keys(), "the running one is untouched");
        } finally {
            GenServer.stop(reg.pid());
        }
    }

    @Test
    void aLinkLeftByAForeignUnregisterNameIsUndoneWithTheHoldersNextLastEntry() {
        String name = freshName("life");
        Registry<String, Integer> reg = Registry.start(RegistryOptions.unique(name));
        try {
            java.util.concurrent.CompletableFuture<Pid> holder = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.CompletableFuture<List<Pid>> linksAfter = new java.util.concurrent.CompletableFuture<>();
            Pid p = Proc.spawn(() -> {
                reg.register("k", 1);
                holder.complete(Proc.self());
                Proc.receive(m -> m.equals("again"), T).orElseThrow();
                reg.register("k2", 2);
                reg.unregister("k2");
                linksAfter.complete(Proc.info(Proc.self()).orElseThrow().links());
                Proc.receive(m -> m.equals("bye"), T);
            });
            assertEquals(p, holder.join());
            assertTrue(Proc.info(p).orElseThrow().links().contains(reg.pid()), "registered: linked, as in Elixir");
            reg.unregisterName("k"); // from this thread, not the holder
            assertEquals(List.of(), reg.lookup("k"));
            Proc.send(p, "again");
            assertFalse(linksAfter.join().contains(reg.pid()),
                    "the holder's next last entry takes the link the foreign unregister had to leave");
            Proc.send(p, "bye");
        } finally {
            GenServer.stop(reg.pid());
        }
    }

    @Test
    void startLinkNeedsAProcess() {
        assertThrows(IllegalStateException.class, () -> Registry.startLink(RegistryOptions.unique(freshName("life"))));
    }

    @Test
    void startLinkLinksToTheCaller() {
        boolean linked = TestSupport.inProcess(() -> {
            Registry<String, Integer> reg = Registry.startLink(RegistryOptions.unique(freshName("life")));
            boolean l = Proc.info(Proc.self()).orElseThrow().links().contains(reg.pid());
            GenServer.stop(reg.pid());
            return l;
        });
        assertTrue(linked);
    }

    @Test
    void aStoppedRegistryRefusesOperationsButViaNamesResolveToNothing() {
        Registry<String, Integer> reg = Registry.start(RegistryOptions.unique(freshName("life")));
        GenServer.stop(reg.pid());
        assertThrows(IllegalStateException.class, () -> reg.lookup("k"));
        assertThrows(IllegalStateException.class, reg::count);
        assertThrows(IllegalStateException.class, reg::pid);
        assertThrows(IllegalStateException.class, () -> TestSupport.inProcess(() -> reg.register("k", 1)));
        assertNull(reg.whereisName("k"));
        assertThrows(NoProcException.class, () -> GenServer.call(Name.via(reg, "k"), "hello"));
        StartResult viaStart = GenServer.start(new Actor(), null, Name.via(reg, "k"));
        assertInstanceOf(StartResult.Failed.class, viaStart, "cannot register in a stopped registry");
    }

    @Test
    void aCrashingRegistryTakesItsRegisteredProcessesAlong() {
        Registry<String, Integer> reg = Registry.start(RegistryOptions.duplicate(freshName("life")));
        Pid registered = Actor.start();
        Pid bystander = Actor.start();
        Actor.run(registered, () -> reg.register("k", 1));
        Object outcome = TestSupport.inProcess(() -> {
            Proc.monitor(registered);
            // The registry traps exits, so only kill (or its parent) ends it from outside.
            Proc.exit(reg.pid(), ExitReason.kill());
            return Proc.receive(Down.class, T).orElseThrow().reason();
        });
        assertEquals(ExitReason.killed(), outcome, "linked, as in Elixir");
        assertTrue(bystander.isAlive());
        assertEquals(Optional.empty(), Registry.named(reg.name()));
        Proc.exit(bystander, ExitReason.kill());
    }

    @Test
    void aTrappingProcessSurvivesItsRegistryAndIsToldAboutIt() {
        Registry<String, Integer> reg = Registry.start(RegistryOptions.unique(freshName("life")));
        Pid registry = reg.pid();
        Object exit = TestSupport.inProcess(() -> {
            Proc.trapExit(true);
            reg.register("k", 1);
            Proc.exit(registry, ExitReason.kill());
            return Proc.receive(Exit.class, T).orElseThrow();
        });
        assertEquals(new Exit(registry, ExitReason.killed()), exit);
    }

    @Test
    void aNormallyStoppedRegistryLeavesItsRegisteredProcessesRunning() {
        Registry<String, Integer> reg = Registry.start(RegistryOptions.unique(freshName("life")));
        Pid registered = Actor.start();
        Actor.run(registered, () -> reg.register("k", 1));
        int hooksBefore = TestSupport.exitHookCount(registered);
        GenServer.stop(reg.pid());
        assertTrue(registered.isAlive());
        assertEquals(hooksBefore - 1, TestSupport.exitHookCount(registered), "the dead registry's hook is gone");
        Proc.exit(registered, ExitReason.kill());
    }

    @Test
    void theSameHandleReachesARestartedRegistry() {
        String name = freshName("life");
        Registry<String, Integer> first = Registry.start(RegistryOptions.unique(name));
        Name via = first.via("svc");
        Pid server = GenServer.start(new Actor(), null, via).pid();
        Pid oldPid = first.pid();
        Proc.exit(oldPid, ExitReason.kill());
        assertFalse(server.isAlive(), "killed with its registry");

        Registry<String, Integer> second = Registry.start(RegistryOptions.unique(name));
        try {
            assertEquals(first, second, "handles name the registry");
            assertNotEquals(oldPid, first.pid());
            assertEquals(second.pid(), first.pid());
            assertEquals(List.of(), first.lookup("svc"), "a new incarnation starts empty");
            Pid again = GenServer.start(new Actor(), null, via).pid();
            assertEquals(again, first.whereisName("svc"));
            assertEquals(List.of(), Actor.inbox(via));
            GenServer.stop(via);
        } finally {
            GenServer.stop(second.pid());
        }
    }

    @Test
    void starterIsASupervisorsStartFunction() {
        String name = freshName("life");
        Object result = TestSupport.inProcess(() -> {
            Proc.trapExit(true); // as a supervisor does
            StartResult r = Registry.starter(RegistryOptions.unique(name)).get();
            Pid pid = r.pid();
            assertTrue(Proc.info(Proc.self()).orElseThrow().links().contains(pid));
            StartResult again = Registry.starter(RegistryOptions.unique(name)).get();
            assertEquals(new StartResult.Failed(new ExitReason.AlreadyStarted(pid)), again);
            // The supervisor shuts it down with an exit signal: it traps exits and still stops.
            Proc.exit(pid, ExitReason.shutdown());
            Exit e = Proc.receive(Exit.class, T).orElseThrow();
            assertEquals(pid, e.from());
            return r;
        });
        assertInstanceOf(StartResult.Ok.class, result);
        assertEquals(Optional.empty(), Registry.named(name));
    }

    @Test
    void aShutdownFromTheParentEndsTheRegistryAndItsRegisteredProcesses() {
        Pid registered = Actor.start();
        Object reason = TestSupport.inProcess(() -> {
            Proc.trapExit(true);
            Registry<String, Integer> reg = Registry.startLink(RegistryOptions.unique(freshName("life")));
            Actor.run(registered, () -> reg.register("k", 1));
            Proc.monitor(registered);
            Proc.exit(reg.pid(), ExitReason.shutdown());
            return Proc.receive(Down.class, T).orElseThrow().reason();
        });
        assertEquals(ExitReason.shutdown(), reason);
    }

    @Test
    void readsAndWritesDoNotGoThroughTheRegistryProcess() {
        Registry<String, Integer> reg = Registry.start(RegistryOptions.unique(freshName("life")).withPartitions(4));
        Sys.suspend(reg.pid());
        Pid a = Actor.start();
        try {
            assertTrue(Actor.run(a, () -> reg.register("k", 1)).isRegistered());
            assertEquals(1, reg.lookup("k").size());
            assertEquals(1, reg.select(e -> true).size());
            Actor.exec(a, () -> reg.unregister("k"));
            assertEquals(0, reg.count());
        } finally {
            Sys.resume(reg.pid());
            Proc.exit(a, ExitReason.kill());
            GenServer.stop(reg.pid());
        }
    }

    @Test
    void registeredProcessDeathsDoNotDisturbTheRegistry() {
        Registry<String, Integer> reg = Registry.start(RegistryOptions.duplicate(freshName("life")));
        try {
            for (int i = 0; i < 50; i++) {
                Pid p = Actor.start();
                Actor.run(p, () -> reg.register("k", 0));
                if (i % 2 == 0) {
                    GenServer.stop(p);
                } else {
                    Proc.exit(p, ExitReason.of("crash"));
                }
            }
            assertEquals(0, reg.count());
            // Its mailbox got the EXIT messages and dropped them: it still answers.
            io.otpj.core.Statistics stats = Sys.statistics(reg.pid());
            assertEquals(50, stats.infos(), "one EXIT per registered process that died");
            assertEquals(0, stats.mailboxLength());
        } finally {
            GenServer.stop(reg.pid());
        }
    }
}
