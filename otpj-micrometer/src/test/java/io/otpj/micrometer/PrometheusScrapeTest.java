package io.otpj.micrometer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.supervisor.ChildSpec;
import io.otpj.supervisor.Supervisor;
import io.otpj.supervisor.SupervisorFlags;
import io.otpj.test.TestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The meters as Prometheus scrapes them, through micrometer-registry-prometheus: names, suffixes,
 * types and labels. The scrape is also written to {@code target/prometheus-scrape.txt}, where the
 * sample in {@code docs/micrometer.md} comes from.
 */
class PrometheusScrapeTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    final Node node = Node.start(NodeOptions.named("payments@host1").withShutdownHook(false));
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final OtpjMetrics metrics = OtpjMetrics.forNode(node)
            .withTopMailboxes(3)
            .withSnapshotInterval(Duration.ofMillis(10))
            .withCallLatency(true);
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        metrics.close();
        registry.close();
        node.stop();
    }

    /** A ledger server: answers calls, crashes on the cast "corrupt". */
    static final class Ledger implements GenServer<Void, Integer> {
        @Override
        public InitResult<Integer> init(Void arg) {
            return ok(0);
        }

        @Override
        public CallResult<Integer> handleCall(Object request, From from, Integer s) {
            return reply(s, s + 1);
        }

        @Override
        public CastResult<Integer> handleCast(Object request, Integer s) {
            throw new IllegalStateException("corrupt ledger");
        }
    }

    @Test
    void theScrapeHasEveryMeterWithItsPrometheusNameAndLabels() throws IOException {
        metrics.bindTo(registry);
        Pid sup = node.call(() -> Supervisor.start(SupervisorFlags.oneForOne(),
                List.of(ChildSpec.worker("ledger", () -> GenServer.startLink(new Ledger(), null))),
                Name.local("payments_sup")).pid());
        Pid ledger = node.call(() -> Supervisor.whichChildren(sup).getFirst().pid().orElseThrow());
        Pid stuck = node.spawn(() -> {
            try {
                release.await(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS); // never receives
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        node.run(() -> {
            for (int i = 0; i < 5; i++) {
                GenServer.call(ledger, "balance");
            }
            for (int i = 0; i < 7; i++) {
                Proc.send(stuck, i);
            }
        });
        // A snapshot sees the ledger's calls before it dies (and tells which process is at rank 1).
        TestKit.eventually(() -> metrics.topMailboxes().size() == 1 && metrics.topMailboxes().getFirst().pid()
                .equals(stuck), WAIT, () -> "the stuck process first: " + metrics.topMailboxes());
        node.run(() -> GenServer.cast(ledger, "corrupt")); // a crash, then a restart
        TestKit.eventually(() -> {
            Timer t = registry.find("otpj.call.latency").tag("outcome", "reply").timer();
            return t != null && t.count() >= 5
                    && registry.find("otpj.supervisor.restarts").functionCounter() != null
                    && registry.find("otpj.process.crashes").functionCounter() != null;
        }, WAIT, "the calls, the crash and the restart");

        String scrape = registry.scrape();
        Path out = Path.of("target", "prometheus-scrape.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, scrape);

        String node = "node=\"payments@host1\"";
        has(scrape, "# TYPE otpj_processes gauge");
        has(scrape, "otpj_processes\\{" + node + "} [0-9.E]+");
        has(scrape, "otpj_processes_status\\{" + node + ",status=\"waiting\"} [0-9.E]+");
        has(scrape, "otpj_processes_status\\{" + node + ",status=\"hibernated\"} [0-9.E]+");
        has(scrape, "otpj_mailbox_length\\{" + node + ",rank=\"1\"} 7\\.0");
        has(scrape, "otpj_mailbox_length\\{" + node + ",rank=\"3\"} [0-9.E]+");
        has(scrape, "otpj_mailbox_length_max\\{" + node + "} 7\\.0");
        has(scrape, "otpj_mailbox_messages\\{" + node + "} [0-9.E]+");
        has(scrape, "# TYPE otpj_messages_handled_total counter");
        has(scrape, "otpj_messages_handled_total\\{" + node + "} [0-9.E]+");
        has(scrape, "otpj_process_crashes_total\\{behaviour=\"" + Pattern.quote(Ledger.class.getName()) + "\","
                + node + "} 1\\.0");
        has(scrape, "otpj_supervisor_restarts_total\\{child=\"ledger\"," + node
                + ",supervisor=\"payments_sup\"} 1\\.0");
        has(scrape, "# TYPE otpj_call_latency_seconds summary");
        has(scrape, "otpj_call_latency_seconds_count\\{" + node + ",outcome=\"reply\"} [0-9]+");
        has(scrape, "otpj_call_latency_seconds_sum\\{" + node + ",outcome=\"reply\"} [0-9.E-]+");
        has(scrape, "otpj_call_latency_seconds_max\\{" + node + ",outcome=\"reply\"} [0-9.E-]+");
        Proc.exit(ledger, ExitReason.kill()); // not needed by the assertions: the node stops it anyway
    }

    @Test
    void aMeterFilterTurnsTheCallTimerIntoAHistogram() {
        // As docs/micrometer.md shows it: configured on the registry before the binder.
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return id.getName().equals("otpj.call.latency")
                        ? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config)
                        : config;
            }
        });
        metrics.bindTo(registry);
        Pid ledger = node.call(() -> GenServer.start(new Ledger(), null).pid());
        node.run(() -> GenServer.call(ledger, "balance"));
        TestKit.eventually(() -> registry.find("otpj.call.latency").timer() != null, WAIT, "the call timed");
        String scrape = registry.scrape();
        has(scrape, "# TYPE otpj_call_latency_seconds histogram");
        has(scrape, "otpj_call_latency_seconds_bucket\\{node=\"payments@host1\",outcome=\"reply\",le=\"\\+Inf\"} 1");
    }

    private static void has(String scrape, String lineRegex) {
        assertTrue(Pattern.compile("^" + lineRegex + "$", Pattern.MULTILINE).matcher(scrape).find(),
                "no line matching " + lineRegex + " in:\n" + scrape);
    }
}
