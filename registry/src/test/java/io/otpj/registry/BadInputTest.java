package io.otpj.registry;

import static io.otpj.registry.TestSupport.freshName;
import static io.otpj.registry.TestSupport.inProcess;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.GenServer;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input fails fast with a message naming the problem, and changes nothing. */
class BadInputTest {

    private static Registry<String, Integer> unique;
    private static Registry<String, Integer> duplicate;

    @BeforeAll
    static void start() {
        unique = Registry.start(RegistryOptions.unique(freshName("bad-u")));
        duplicate = Registry.start(RegistryOptions.duplicate(freshName("bad-d")));
    }

    @AfterAll
    static void stop() {
        GenServer.stop(unique.pid());
        GenServer.stop(duplicate.pid());
    }

    private static void npeNaming(String word, Executable e) {
        NullPointerException npe = assertThrows(NullPointerException.class, e);
        assertNotNull(npe.getMessage());
        assertTrue(npe.getMessage().contains(word), () -> "message names " + word + ": " + npe.getMessage());
    }

    private static <T> void inProc(java.util.concurrent.Callable<T> fn) {
        inProcess(fn);
    }

    @Test
    void nullKeysAreRejectedNamingTheKey() {
        npeNaming("key", () -> inProc(() -> unique.register(null, 1)));
        npeNaming("key", () -> inProc(() -> {
            unique.unregister(null);
            return null;
        }));
        npeNaming("key", () -> unique.lookup(null));
        npeNaming("key", () -> unique.match(null, v -> true));
        npeNaming("key", () -> unique.count(null));
        npeNaming("key", () -> unique.dispatch(null, e -> {}));
        npeNaming("key", () -> unique.via(null));
        npeNaming("key", () -> unique.whereisName(null));
        npeNaming("key", () -> inProc(() -> unique.updateValue(null, v -> v)));
        npeNaming("meta key", () -> unique.putMeta(null, 1));
        npeNaming("meta value", () -> unique.putMeta("m", null));
        npeNaming("meta key", () -> unique.meta(null));
        assertEquals(0, unique.count());
    }

    @Test
    void nullFunctionsAreRejectedNamingThem() {
        npeNaming("valuePattern", () -> unique.match("k", null));
        npeNaming("query", () -> unique.select(null));
        npeNaming("fn", () -> unique.dispatch("k", null));
        npeNaming("fn", () -> inProc(() -> unique.updateValue("k", null)));
        npeNaming("pid", () -> unique.keys(null));
        npeNaming("name", () -> Registry.named(null));
        npeNaming("options", () -> Registry.start(null));
        npeNaming("options", () -> Registry.starter(null));
    }

    @Test
    void callingProcessOperationsNeedAProcess() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> unique.register("k", 1));
        assertTrue(e.getMessage().contains("process"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> unique.unregister("k"));
        assertThrows(IllegalStateException.class, () -> unique.updateValue("k", v -> v));
        assertEquals(0, unique.count());
    }

    @Test
    void uniqueOnlyOperationsOnADuplicateRegistry() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> inProc(() -> duplicate.updateValue("k", v -> v)));
        assertTrue(e.getMessage().contains("unique"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> duplicate.via("k"));
        assertThrows(IllegalStateException.class, () -> inProc(() -> duplicate.registerName("k", Proc.self())));
        assertThrows(IllegalStateException.class, () -> duplicate.unregisterName("k"));
    }

    @Test
    void badOptions() {
        npeNaming("name", () -> RegistryOptions.unique(null));
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> RegistryOptions.unique("  "));
        assertTrue(blank.getMessage().contains("blank"));
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> RegistryOptions.duplicate("x").withPartitions(0));
        assertTrue(zero.getMessage().contains("partitions") && zero.getMessage().contains("0"));
        npeNaming("keys", () -> new RegistryOptions("x", null, 1));
    }

    @Test
    void registerNameForAnotherProcessIsRefused() {
        Pid other = Actor.start();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> inProc(() -> unique.registerName("k", other)));
            assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
            assertEquals(List.of(), unique.lookup("k"));
        } finally {
            GenServer.stop(other);
        }
    }

    @Test
    void keysWithThrowingHashCodeLeaveNothingBehind() {
        record Bad(int id) {
            @Override
            public int hashCode() {
                throw new IllegalStateException("bad hashCode");
            }
        }
        Registry<Bad, Integer> reg = Registry.start(RegistryOptions.unique(freshName("bad")));
        try {
            Pid a = Actor.start();
            assertThrows(IllegalStateException.class, () -> Actor.run(a, () -> reg.register(new Bad(1), 1)));
            assertEquals(0, reg.count());
            assertEquals(0, reg.keys(a).size());
            assertEquals(0, reg.state().ownerCount(), "no owner, hook or link left for a process holding nothing");
            assertFalse(Proc.info(a).orElseThrow().links().contains(reg.pid()));
            GenServer.stop(a);
        } finally {
            GenServer.stop(reg.pid());
        }
    }
}
