package io.otpj.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.GenServer;
import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.Pid;
import io.otpj.test.TestKit;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The page in a real browser (headless Chromium) against a running node: the supervision tree is
 * in the DOM, a crash appears live, the restart history follows, the detail view shows the
 * formatted state, an unknown pid gets the 404 page. Skipped without Chromium unless
 * {@code OTPJ_DASHBOARD_TEST_BROWSER=required} (as in CI), then it fails instead.
 *
 * <p>The screenshot goes to {@code target/dashboard.png}, and also to the path in the system
 * property {@code otpj.dashboard.screenshot} when given (how docs/dashboard.png is made).
 */
class DashboardBrowserTest {

    @Test
    void thePageShowsTheTreeAndACrashAppearsLive() throws Exception {
        Optional<Path> exe = Chromium.executable();
        if (exe.isEmpty()) {
            if ("required".equals(System.getenv("OTPJ_DASHBOARD_TEST_BROWSER"))) {
                throw new AssertionError("chromium is required (OTPJ_DASHBOARD_TEST_BROWSER=required) and not installed");
            }
            Assumptions.abort("no chromium installed");
        }
        Node node = Node.start(NodeOptions.named("dash-browser").withShutdownHook(false));
        try (Dashboard dashboard = Dashboard.start(node, DashboardOptions.defaults().withPort(0).withRefresh(Duration.ofMillis(250)));
                Chromium browser = new Chromium(exe.get())) {
            Shop.start(node);
            browser.navigate(dashboard.uri());
            browser.until("document.getElementById('connection').textContent === 'live'", "the page connected");
            browser.until("[...document.querySelectorAll('#trees li')].map(li => li.dataset.childId).filter(Boolean).join() === 'cart,payments,gateway'",
                    "the tree shop → cart, payments → gateway in the DOM");
            Pid cart = Shop.cart(node);
            assertEquals("true", browser.eval("document.querySelector('#processes tbody tr[data-pid=\"" + cart + "\"]') !== null"));

            node.run(() -> GenServer.cast(cart, "crash"));
            browser.until("[...document.querySelectorAll('#crashes tbody tr')].some(tr => tr.dataset.pid === '" + cart + "'"
                    + " && tr.textContent.includes('Shop$Cart'))", "the cart's crash in the crash table");
            TestKit.eventually(() -> node.whereis("cart").filter(p -> !p.equals(cart)).isPresent(), Chromium.WAIT, "the cart restarted");
            Pid restarted = Shop.cart(node);
            browser.until("[...document.querySelectorAll('#restarts tbody tr')].some(tr => tr.children[2].textContent === 'cart'"
                    + " && tr.children[3].textContent.endsWith('→ " + restarted + "'))", "the cart's restart in the history");
            browser.eval("document.querySelector('#processes th[data-key=rate]').click()");
            assertEquals("msg/s ▾", browser.eval("document.querySelector('#processes th[data-key=rate]').textContent"));
            browser.eval("document.querySelector('#processes th[data-key=mailbox]').click()");

            Path shot = Path.of("target", "dashboard.png");
            browser.screenshot(shot);
            assertTrue(Files.size(shot) > 10_000, "a screenshot with something in it");
            String copy = System.getProperty("otpj.dashboard.screenshot");
            if (copy != null && !copy.isBlank()) {
                Files.copy(shot, Path.of(copy), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }

            browser.navigate(dashboard.uri().resolve("/process?pid=" + URLEncoder.encode(restarted.toString(), StandardCharsets.UTF_8)));
            browser.until("document.getElementById('state').textContent === 'card ****1111'", "the formatted state in the detail view");
            browser.until("document.getElementById('alive').textContent === 'alive'", "the detail view says alive");
            assertTrue(!browser.eval("document.body.innerText").contains(Shop.SECRET), "the raw state in the page");

            browser.navigate(dashboard.uri().resolve("/process?pid=" + URLEncoder.encode("<nobody.1.1>", StandardCharsets.UTF_8)));
            browser.until("document.getElementById('message') !== null && document.getElementById('message').textContent.includes('No process <nobody.1.1>')",
                    "the 404 page for an unknown pid");
        } finally {
            node.stop(Duration.ZERO);
        }
    }
}
