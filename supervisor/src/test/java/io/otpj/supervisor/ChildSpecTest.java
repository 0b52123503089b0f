package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.CallResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Semantics: "Child spec: id, start, restart, shutdown, type" and the child_spec/1 idiom. */
class ChildSpecTest {

    private static final Supplier<StartResult> NOTHING = StartResult.Ignored::new;

    @Test
    void workerDefaultsArePermanentFiveSecondsWorker() {
        ChildSpec s = ChildSpec.worker("w", NOTHING);
        assertEquals("w", s.id());
        assertSame(NOTHING, s.start());
        assertEquals(Restart.PERMANENT, s.restart());
        assertEquals(Shutdown.timeout(Duration.ofSeconds(5)), s.shutdown());
        assertEquals(ChildType.WORKER, s.type());
    }

    @Test
    void supervisorDefaultsArePermanentInfinitySupervisor() {
        ChildSpec s = ChildSpec.supervisor("s", NOTHING);
        assertEquals(Restart.PERMANENT, s.restart());
        assertEquals(Shutdown.infinity(), s.shutdown());
        assertEquals(ChildType.SUPERVISOR, s.type());
    }

    @Test
    void withersReplaceOneFieldAndLeaveTheOriginal() {
        ChildSpec s = ChildSpec.worker("w", NOTHING);
        ChildSpec t = s.withRestart(Restart.TRANSIENT).withShutdown(Shutdown.brutalKill()).withId("w2");
        assertEquals(new ChildSpec("w2", NOTHING, Restart.TRANSIENT, Shutdown.brutalKill(), ChildType.WORKER), t);
        assertEquals(Restart.PERMANENT, s.restart());
        assertEquals("w", s.id());
        assertEquals(Restart.TEMPORARY, s.withRestart(Restart.TEMPORARY).restart());
    }

    @Test
    void shutdownKinds() {
        assertInstanceOf(Shutdown.BrutalKill.class, Shutdown.brutalKill());
        assertInstanceOf(Shutdown.Infinity.class, Shutdown.infinity());
        assertEquals(Duration.ofMillis(250), ((Shutdown.Timeout) Shutdown.timeout(Duration.ofMillis(250))).after());
        assertEquals(Duration.ZERO, ((Shutdown.Timeout) Shutdown.timeout(Duration.ZERO)).after());
        var e = assertThrows(IllegalArgumentException.class, () -> Shutdown.timeout(Duration.ofMillis(-1)));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Shutdown.timeout(null));
    }

    @Test
    void badSpecsAreRejectedNamingTheField() {
        assertTrue(assertThrows(NullPointerException.class, () -> ChildSpec.worker(null, NOTHING)).getMessage().contains("id"));
        assertTrue(assertThrows(NullPointerException.class, () -> ChildSpec.worker("x", null)).getMessage().contains("start"));
        ChildSpec s = ChildSpec.worker("x", NOTHING);
        assertTrue(assertThrows(NullPointerException.class, () -> s.withRestart(null)).getMessage().contains("restart"));
        assertTrue(assertThrows(NullPointerException.class, () -> s.withShutdown(null)).getMessage().contains("shutdown"));
        assertTrue(assertThrows(NullPointerException.class, () -> s.withId(null)).getMessage().contains("id"));
    }

    @Test
    void flagsDefaultsAndValidation() {
        SupervisorFlags f = SupervisorFlags.oneForOne();
        assertEquals(new SupervisorFlags(Strategy.ONE_FOR_ONE, 3, Duration.ofSeconds(5)), f);
        assertEquals(Strategy.ONE_FOR_ALL, SupervisorFlags.oneForAll().strategy());
        assertEquals(Strategy.REST_FOR_ONE, SupervisorFlags.restForOne().strategy());
        assertEquals(new SupervisorFlags(Strategy.ONE_FOR_ONE, 0, Duration.ofHours(1)),
                f.withIntensity(0, Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> f.withIntensity(-1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> f.withIntensity(1, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> f.withIntensity(1, null));
        assertThrows(NullPointerException.class, () -> new SupervisorFlags(null, 1, Duration.ofSeconds(1)));
    }

    // ---------------------------------------------------------------- the child_spec/1 idiom

    /** A server that offers its own default child spec, as an Elixir module's child_spec/1. */
    static final class Account implements GenServer<String, Integer> {
        record Balance() {}

        static Name name(String id) {
            return Name.local(new Account.Key(id));
        }

        record Key(String id) {}

        /** The idiom: the server class knows how it is started under a supervisor. */
        static ChildSpec childSpec(String id) {
            return ChildSpec.worker(id, () -> GenServer.startLink(new Account(), id, name(id)))
                    .withShutdown(Shutdown.timeout(Duration.ofSeconds(1)));
        }

        @Override public InitResult<Integer> init(String id) { return ok(100); }

        @Override
        public CallResult<Integer> handleCall(Object req, From from, Integer balance) throws Exception {
            return req instanceof Balance ? reply(balance, balance) : GenServer.super.handleCall(req, from, balance);
        }
    }

    @Test
    void aServerOffersItsOwnChildSpec() {
        Pid sup = Supervisor.start(SupervisorFlags.oneForOne(), List.of(
                Account.childSpec("acc-1"),
                Account.childSpec("acc-2").withRestart(Restart.TRANSIENT))).pid();
        try {
            assertEquals(100, (int) GenServer.call(Account.name("acc-1"), new Account.Balance()));
            List<ChildInfo> kids = Supervisor.whichChildren(sup);
            assertEquals(List.of("acc-1", "acc-2"), kids.stream().map(ChildInfo::id).toList());
            // A restart re-registers the name: the same name reaches the new process.
            Pid old = GenServer.whereis(Account.name("acc-1")).orElseThrow();
            Proc.exit(old, io.otpj.core.ExitReason.kill());
            Pid now = Supervisor.whichChildren(sup).getFirst().pid().orElseThrow();
            assertNotEquals(old, now);
            assertEquals(now, GenServer.whereis(Account.name("acc-1")).orElseThrow());
            assertEquals(100, (int) GenServer.call(Account.name("acc-1"), new Account.Balance()));
        } finally {
            Supervisor.stop(sup);
        }
    }
}
