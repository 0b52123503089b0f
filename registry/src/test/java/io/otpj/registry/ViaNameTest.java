package io.otpj.registry;

import static io.otpj.registry.TestSupport.freshName;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.Down;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.NoProcException;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code {:via, Registry, {registry, key}}} names a GenServer at start, call and cast: the
 * seed's {@code CampaignServer} with {@code via_tuple(campaign_id)}.
 */
class ViaNameTest {

    /** The seed's CampaignServer, reduced to what the registry needs. */
    static final class CampaignServer implements GenServer<Long, CampaignServer.State> {
        record State(long campaignId, String status, BigDecimal total, int donations) {}
        record GetCampaign() {}
        record AddDonation(BigDecimal amount) {}
        record UpdateStatus(String status) {}

        private final Registry<Long, Void> registry;

        CampaignServer(Registry<Long, Void> registry) {
            this.registry = registry;
        }

        // Client API, as the seed's start_link / get_campaign / add_donation / update_status.
        static StartResult startLink(Registry<Long, Void> registry, long campaignId) {
            return GenServer.startLink(new CampaignServer(registry), campaignId, viaTuple(registry, campaignId));
        }

        static StartResult start(Registry<Long, Void> registry, long campaignId) {
            return GenServer.start(new CampaignServer(registry), campaignId, viaTuple(registry, campaignId));
        }

        static State getCampaign(Registry<Long, Void> registry, long campaignId) {
            return GenServer.call(viaTuple(registry, campaignId), new GetCampaign());
        }

        static State addDonation(Registry<Long, Void> registry, long campaignId, BigDecimal amount) {
            return GenServer.call(viaTuple(registry, campaignId), new AddDonation(amount));
        }

        static void updateStatus(Registry<Long, Void> registry, long campaignId, String status) {
            GenServer.cast(viaTuple(registry, campaignId), new UpdateStatus(status));
        }

        // defp via_tuple(campaign_id), do: {:via, Registry, {CampaignRegistry, campaign_id}}
        static Name viaTuple(Registry<Long, Void> registry, long campaignId) {
            return registry.via(campaignId);
        }

        @Override
        public InitResult<State> init(Long campaignId) {
            return ok(new State(campaignId, "active", BigDecimal.ZERO, 0));
        }

        @Override
        public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
            return switch (request) {
                case GetCampaign g -> reply(s, s);
                case AddDonation(BigDecimal amount) -> {
                    State next = new State(s.campaignId(), s.status(), s.total().add(amount), s.donations() + 1);
                    yield reply(next, next);
                }
                default -> GenServer.super.handleCall(request, from, s);
            };
        }

        @Override
        public CastResult<State> handleCast(Object request, State s) throws Exception {
            return switch (request) {
                case UpdateStatus(String status) -> noreply(new State(s.campaignId(), status, s.total(), s.donations()));
                default -> GenServer.super.handleCast(request, s);
            };
        }
    }

    private Registry<Long, Void> campaigns;

    @BeforeEach
    void startRegistry() {
        campaigns = Registry.start(RegistryOptions.unique(freshName("CampaignRegistry")).withPartitions(4));
    }

    @AfterEach
    void stopRegistry() {
        TestSupport.stopQuietly(campaigns);
    }

    @Test
    void startCallAndCastThroughTheViaName() {
        Pid pid = CampaignServer.start(campaigns, 42L).pid();
        assertEquals(List.of(new Entry<Long, Void>(42L, pid, null)), campaigns.lookup(42L));
        assertEquals(Optional.of(pid), GenServer.whereis(campaigns.via(42L)));

        CampaignServer.addDonation(campaigns, 42L, new BigDecimal("100.00"));
        CampaignServer.updateStatus(campaigns, 42L, "paused");
        CampaignServer.State s = CampaignServer.getCampaign(campaigns, 42L);
        assertEquals(new CampaignServer.State(42L, "paused", new BigDecimal("100.00"), 1), s);

        GenServer.stop(campaigns.via(42L));
        assertEquals(List.of(), campaigns.lookup(42L), "stop returns with the name free");
    }

    @Test
    void startLinkFromAProcessThroughTheViaName() {
        CampaignServer.State s = TestSupport.inProcess(() -> {
            Pid pid = CampaignServer.startLink(campaigns, 7L).pid();
            assertTrue(Proc.info(Proc.self()).orElseThrow().links().contains(pid));
            CampaignServer.State st = CampaignServer.addDonation(campaigns, 7L, BigDecimal.TEN);
            GenServer.stop(pid);
            return st;
        });
        assertEquals(1, s.donations());
    }

    @Test
    void aTakenViaNameFailsTheStartWithTheHolder() {
        Pid first = CampaignServer.start(campaigns, 1L).pid();
        StartResult second = CampaignServer.start(campaigns, 1L);
        assertEquals(new StartResult.Failed(new ExitReason.AlreadyStarted(first)), second);
        assertEquals(List.of(new Entry<Long, Void>(1L, first, null)), campaigns.lookup(1L));
        GenServer.stop(first);
    }

    @Test
    void unknownViaNameCallFailsWithNoprocAndCastIsDropped() {
        NoProcException e = assertThrows(NoProcException.class, () -> CampaignServer.getCampaign(campaigns, 404L));
        assertEquals(ExitReason.noproc(), e.reason());
        assertDoesNotThrow(() -> CampaignServer.updateStatus(campaigns, 404L, "closed"));
    }

    @Test
    void aCrashedServerCanBeRestartedUnderItsNameFromTheDownHandler() {
        Object restarted = TestSupport.inProcess(() -> {
            Pid first = CampaignServer.start(campaigns, 9L).pid();
            Proc.monitor(first);
            Proc.exit(first, ExitReason.of("crash"));
            Proc.receive(Down.class, Duration.ofSeconds(10)).orElseThrow();
            // A supervisor in this position restarts the child at once: the name must be free.
            StartResult r = CampaignServer.start(campaigns, 9L);
            Pid second = r.pid();
            assertNotEquals(first, second);
            assertEquals(second, campaigns.whereisName(9L));
            GenServer.stop(second);
            return r;
        });
        assertInstanceOf(StartResult.Ok.class, restarted);
    }

    /** A server whose init fails: the start must return with its via-name already free. */
    static final class FailingInit implements GenServer<String, String> {
        @Override
        public InitResult<String> init(String how) throws Exception {
            return switch (how) {
                case "stop" -> stopInit(ExitReason.of("no_campaign"));
                case "crash" -> throw new IllegalStateException("init crashed");
                default -> ignore();
            };
        }
    }

    @Test
    void aFailedInitReleasesTheViaNameBeforeStartReturns() {
        for (String how : List.of("stop", "crash", "ignore")) {
            StartResult r = GenServer.start(new FailingInit(), how, campaigns.via(5L));
            assertFalse(r instanceof StartResult.Ok, how);
            assertEquals(List.of(), campaigns.lookup(5L), how);
            assertEquals(0, campaigns.count(), how);
        }
        Pid ok = CampaignServer.start(campaigns, 5L).pid();
        assertEquals(ok, campaigns.whereisName(5L));
        GenServer.stop(ok);
    }

    @Test
    void aViaNameIsAValueThatOutlivesTheRegistry() {
        String name = campaigns.name();
        Name via = campaigns.via(8L);
        GenServer.stop(campaigns.pid());
        Name builtWhileStopped = campaigns.via(8L);
        assertEquals(via, builtWhileStopped);
        assertThrows(NoProcException.class, () -> GenServer.call(builtWhileStopped, new CampaignServer.GetCampaign()));
        assertInstanceOf(StartResult.Failed.class, GenServer.start(new CampaignServer(campaigns), 8L, via));

        campaigns = Registry.start(RegistryOptions.unique(name));
        Pid pid = GenServer.start(new CampaignServer(campaigns), 8L, via).pid();
        assertEquals(8L, CampaignServer.getCampaign(campaigns, 8L).campaignId());
        GenServer.stop(pid);
    }

    @Test
    void manyCampaignsEachUnderItsOwnKey() {
        for (long id = 0; id < 50; id++) {
            CampaignServer.start(campaigns, id).pid();
        }
        for (long id = 0; id < 50; id++) {
            CampaignServer.addDonation(campaigns, id, BigDecimal.valueOf(id));
            assertEquals(BigDecimal.valueOf(id), CampaignServer.getCampaign(campaigns, id).total());
        }
        assertEquals(50, campaigns.count());
        for (long id = 0; id < 50; id++) {
            GenServer.stop(campaigns.via(id));
        }
        assertEquals(0, campaigns.count());
    }

    @Test
    void viaNamesAreValuesAndNeedAUniqueRegistry() {
        assertEquals(campaigns.via(3L), Registry.<Long, Void>named(campaigns.name()).orElseThrow().via(3L));
        Registry<String, String> dup = Registry.start(RegistryOptions.duplicate(freshName("dup")));
        try {
            assertThrows(IllegalStateException.class, () -> dup.via("x"));
            assertThrows(IllegalStateException.class, () -> dup.whereisName("x"));
        } finally {
            GenServer.stop(dup.pid());
        }
    }

    @Test
    void registerNameOnlyForTheCallingProcess() {
        Pid other = Actor.start();
        try {
            assertThrows(IllegalArgumentException.class, () -> campaigns.registerName(1L, other));
            assertThrows(IllegalArgumentException.class,
                    () -> TestSupport.inProcess(() -> campaigns.registerName(1L, other)));
            assertNull(Actor.run(other, () -> campaigns.registerName(1L, other)));
            assertEquals(other, Actor.run(other, () -> campaigns.registerName(1L, other)));
            // unregisterName from another thread removes the entry and the hook.
            campaigns.unregisterName(1L);
            assertNull(campaigns.whereisName(1L));
            assertEquals(0, campaigns.state().ownerCount());
            assertNull(Actor.run(other, () -> campaigns.registerName(1L, other)));
            Actor.exec(other, () -> campaigns.unregisterName(1L));
            assertNull(campaigns.whereisName(1L));
        } finally {
            Proc.exit(other, ExitReason.kill());
        }
    }
}
