package io.otpj.dashboard;

import io.otpj.core.CastResult;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.CallResult;
import io.otpj.core.From;
import io.otpj.supervisor.ChildSpec;
import io.otpj.supervisor.Supervisor;
import io.otpj.supervisor.SupervisorFlags;
import java.util.List;

/**
 * The tests' supervision tree: {@code shop} (one_for_one) with a worker {@code cart}, whose state
 * holds a card number that its format_status hides and which crashes on the cast "crash", and a
 * nested supervisor {@code payments} with a worker {@code gateway}.
 */
final class Shop {
    static final String SECRET = "4111111111111111";

    /** A worker holding a secret; shows only its last four digits. */
    static final class Cart implements GenServer<String, String> {
        @Override
        public InitResult<String> init(String card) {
            return ok(card);
        }

        @Override
        public CallResult<String> handleCall(Object request, From from, String card) {
            return reply("ok", card);
        }

        @Override
        public CastResult<String> handleCast(Object request, String card) {
            if (request.equals("crash")) {
                throw new IllegalStateException("cart broke");
            }
            return noreply(card);
        }

        @Override
        public Status formatStatus(Status status) {
            return new Status("card ****" + ((String) status.state()).substring(12), status.message());
        }
    }

    /** Starts the tree in {@code node}; returns the root's pid. */
    static Pid start(Node node) {
        return node.call(() -> Supervisor.start(SupervisorFlags.oneForOne(), List.of(
                ChildSpec.worker("cart", () -> GenServer.startLink(new Cart(), SECRET, Name.local("cart"))),
                Supervisor.childSpec("payments", SupervisorFlags.oneForOne(), List.of(
                        ChildSpec.worker("gateway", () -> GenServer.startLink(new Cart(), SECRET))))),
                Name.local("shop")).pid());
    }

    static Pid cart(Node node) {
        return node.whereis("cart").orElseThrow();
    }

    private Shop() {}
}
