package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** format_status: what crash reports and traces show of a server's state and message. */
class FormatStatusTest {

    record Card(String number) {}

    record Pay(Card card) {}

    /** Holds a card number; shows only its last four digits, or breaks its formatter on request. */
    record Vault(boolean broken) implements GenServer<Card, Card> {
        @Override
        public InitResult<Card> init(Card c) {
            return ok(c);
        }

        @Override
        public CallResult<Card> handleCall(Object req, From from, Card c) {
            if (req instanceof Pay) {
                throw new IllegalStateException("gateway down");
            }
            return reply("ok", c);
        }

        @Override
        public Status formatStatus(Status status) {
            if (broken) {
                throw new IllegalStateException("formatter bug");
            }
            return new Status(mask(status.state()), status.message() instanceof Pay(Card card) ? new Pay(new Card(mask(card))) : status.message());
        }

        private static String mask(Object card) {
            String n = ((Card) card).number();
            return "****" + n.substring(n.length() - 4);
        }
    }

    @Test
    void crashReportsAndTracesShowTheFormattedStatusNotTheSecret() {
        try (LogCapture log = new LogCapture()) {
            Pid p = GenServer.start(new Vault(false), new Card("4111111111111111"), StartOptions.defaults().withTrace(true)).pid();
            GenServer.call(p, "ping");
            assertThrows(ServerExitedException.class, () -> GenServer.call(p, new Pay(new Card("5500000000000004"))));
            List<String> reports = log.lines("crash_report", p);
            assertEquals(1, reports.size(), log.text());
            assertTrue(reports.get(0).contains("state=****1111") && reports.get(0).contains("Card[number=****0004]"), reports.get(0));
            assertFalse(log.text().contains("4111111111111111"), "the state's card number was printed: " + log.text());
            assertFalse(log.text().contains("5500000000000004"), "the message's card number was printed: " + log.text());
            List<String> traced = log.lines("sys_trace", p);
            assertFalse(traced.isEmpty(), "the traced ping left no trace line: " + log.text());
            assertTrue(traced.stream().allMatch(l -> l.contains("state=****1111")), log.text());
        }
    }

    @Test
    void aBrokenFormatterHidesBothRatherThanPrintingThem() {
        try (LogCapture log = new LogCapture()) {
            Pid p = GenServer.start(new Vault(true), new Card("4111111111111111")).pid();
            assertThrows(ServerExitedException.class, () -> GenServer.call(p, new Pay(new Card("5500000000000004"))));
            String report = log.lines("crash_report", p).getFirst();
            assertTrue(report.contains("last_message=format_status_failed state=format_status_failed"), report);
            assertFalse(log.text().contains("4111111111111111") || log.text().contains("5500000000000004"), log.text());
        }
    }

    @Test
    void sysGetStatusShowsTheFormattedStateAndGetStateTheRawOne() {
        Pid p = GenServer.start(new Vault(false), new Card("4111111111111111")).pid();
        Pid broken = GenServer.start(new Vault(true), new Card("4111111111111111")).pid();
        try {
            assertEquals(new GenServer.Status("****1111", null), Sys.getStatus(p, Probe.WAIT));
            assertEquals(new Card("4111111111111111"), Sys.getState(p));
            assertEquals(new GenServer.Status("format_status_failed", null), Sys.getStatus(broken, Probe.WAIT));
            assertThrows(NullPointerException.class, () -> Sys.getStatus(p, null));
        } finally {
            GenServer.stop(p);
            GenServer.stop(broken);
        }
        assertThrows(NoProcException.class, () -> Sys.getStatus(p, Probe.WAIT));
    }
}
