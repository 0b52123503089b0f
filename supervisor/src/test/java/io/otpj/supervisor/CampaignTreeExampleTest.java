package io.otpj.supervisor;

import io.otpj.test.TestKit;
import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.CallResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The seed's supervision needs (docs/supervisor.md): one CampaignServer process per campaign under
 * a named DynamicSupervisor, next to singleton servers, under an application supervisor. The code
 * here is the code the document shows.
 */
class CampaignTreeExampleTest {

    /** Stands in for the seed's Repo: where a campaign's state survives its process. */
    static final Map<String, Long> REPO = new ConcurrentHashMap<>();

    record CampaignKey(String campaignId) {}

    static final class CampaignServer implements GenServer<String, CampaignServer.State> {
        record State(String campaignId, long total) {}
        record AddDonation(long amount) {}
        record GetTotal() {}
        record Complete() {}

        static Name via(String campaignId) {
            return Name.local(new CampaignKey(campaignId));
        }

        /** child_spec/1: transient, so a campaign that completes normally stays stopped. */
        static ChildSpec childSpec(String campaignId) {
            return ChildSpec.worker(campaignId,
                    () -> GenServer.startLink(new CampaignServer(), campaignId, via(campaignId)))
                    .withRestart(Restart.TRANSIENT);
        }

        static long addDonation(String campaignId, long amount) {
            return GenServer.call(via(campaignId), new AddDonation(amount));
        }

        @Override
        public InitResult<State> init(String campaignId) {
            return ok(new State(campaignId, REPO.getOrDefault(campaignId, 0L))); // fetch_campaign
        }

        @Override
        public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
            return switch (request) {
                case AddDonation(long amount) when amount <= 0 ->
                    throw new IllegalArgumentException("invalid_amount " + amount); // let it crash
                case AddDonation(long amount) -> {
                    State next = new State(s.campaignId(), s.total() + amount);
                    REPO.put(s.campaignId(), next.total());
                    yield reply(next.total(), next);
                }
                case GetTotal g -> reply(s.total(), s);
                case Complete c -> stop(ExitReason.normal(), "completed", s);
                default -> GenServer.super.handleCall(request, from, s);
            };
        }
    }

    /** A singleton, as the seed's ZakatCalculatorServer registered under its module name. */
    static final class ZakatCalculator implements GenServer<Void, Integer> {
        static final Name NAME = Name.local(ZakatCalculator.class);

        @Override public InitResult<Integer> init(Void v) { return ok(0); }
    }

    static final Name CAMPAIGNS = Name.local("campaigns");

    static StartResult startCampaign(String campaignId) {
        return DynamicSupervisor.startChild(CAMPAIGNS, CampaignServer.childSpec(campaignId));
    }

    @Test
    void aCampaignPerProcessUnderADynamicSupervisor() {
        Pid app = Supervisor.start(SupervisorFlags.oneForOne(), List.of(
                ChildSpec.worker("zakat", () -> GenServer.startLink(new ZakatCalculator(), null, ZakatCalculator.NAME)),
                DynamicSupervisor.childSpec("campaigns",
                        DynamicSupervisor.Options.defaults().withMaxChildren(10_000), CAMPAIGNS))).pid();
        try {
            Pid c1 = startCampaign("c-1").pid();
            startCampaign("c-2").pid();
            // One process per campaign: its name is taken while it runs.
            assertEquals(new StartResult.Failed(new ExitReason.AlreadyStarted(c1)), startCampaign("c-1"));

            assertEquals(50_000, CampaignServer.addDonation("c-1", 50_000));
            // A bad donation crashes that campaign's process only; the caller sees the crash...
            assertThrows(io.otpj.core.ServerExitedException.class, () -> CampaignServer.addDonation("c-1", -5));
            // ...and the supervisor brings it back with its state from the repo.
            TestKit.eventually(() -> GenServer.whereis(CampaignServer.via("c-1")).filter(p -> p != c1).isPresent(), Procs.WAIT, "GenServer.whereis(CampaignServer.via(\"c-1\")).filter(p -> p != c1).isPresent()");
            assertEquals(60_000, CampaignServer.addDonation("c-1", 10_000));
            assertEquals(0L, (long) GenServer.call(CampaignServer.via("c-2"), new CampaignServer.GetTotal()));

            // A completed campaign stops normally and, being transient, is not restarted.
            Pid c2 = GenServer.whereis(CampaignServer.via("c-2")).orElseThrow();
            assertEquals("completed", GenServer.call(c2, new CampaignServer.Complete()));
            TestKit.awaitDown(c2, Procs.WAIT);
            TestKit.eventually(() -> DynamicSupervisor.countChildren(CAMPAIGNS).specs() == 1, Procs.WAIT, "DynamicSupervisor.countChildren(CAMPAIGNS).specs() == 1");
            assertTrue(GenServer.whereis(CampaignServer.via("c-2")).isEmpty());
            assertEquals(new ChildCounts(2, 2, 1, 1), Supervisor.countChildren(app));
        } finally {
            Supervisor.stop(app);
            REPO.clear();
        }
        assertTrue(GenServer.whereis(CAMPAIGNS).isEmpty());
        assertTrue(GenServer.whereis(CampaignServer.via("c-1")).isEmpty());
    }

    /** The seed's DonationProcessorServer: one per campaign, depends on that campaign's server. */
    static final class DonationProcessor implements GenServer<String, String> {
        record Key(String campaignId) {}

        static ChildSpec childSpec(String campaignId) {
            return ChildSpec.worker("processor",
                    () -> GenServer.startLink(new DonationProcessor(), campaignId, Name.local(new Key(campaignId))));
        }

        @Override public InitResult<String> init(String campaignId) { return ok(campaignId); }
    }

    /** A campaign as a small subtree: its server, then its processor, restarted rest_for_one. */
    static ChildSpec campaignTree(String campaignId) {
        return Supervisor.childSpec("campaign:" + campaignId, SupervisorFlags.restForOne(), List.of(
                CampaignServer.childSpec(campaignId).withId("server").withRestart(Restart.PERMANENT),
                DonationProcessor.childSpec(campaignId)));
    }

    @Test
    void aCampaignSubtreePerCampaign() {
        Pid campaigns = DynamicSupervisor.start(DynamicSupervisor.Options.defaults()).pid();
        try {
            Pid tree = DynamicSupervisor.startChild(campaigns, campaignTree("c-9")).pid();
            Pid server = GenServer.whereis(CampaignServer.via("c-9")).orElseThrow();
            Pid processor = GenServer.whereis(Name.local(new DonationProcessor.Key("c-9"))).orElseThrow();
            // The server crashes: rest_for_one restarts it and the processor started after it.
            Proc.exit(server, ExitReason.of("boom"));
            List<ChildInfo> kids = Supervisor.whichChildren(tree);
            assertNotEquals(server, kids.get(0).pid().orElseThrow());
            assertNotEquals(processor, kids.get(1).pid().orElseThrow());
            assertFalse(processor.isAlive());
            // The processor crashes: only itself.
            Pid server2 = kids.get(0).pid().orElseThrow();
            Proc.exit(kids.get(1).pid().orElseThrow(), ExitReason.of("boom"));
            assertEquals(server2, Supervisor.whichChildren(tree).get(0).pid().orElseThrow());
            assertEquals(new ChildCounts(1, 1, 1, 0), DynamicSupervisor.countChildren(campaigns));
        } finally {
            DynamicSupervisor.stop(campaigns);
            REPO.clear();
        }
        assertTrue(GenServer.whereis(CampaignServer.via("c-9")).isEmpty());
    }
}
