package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/** Crash reports: one key=value line for every binding, and the pairs as slf4j 2 key-values for a structured one. */
class StructuredLogTest {

    /** A binding of the old kind: only formatted calls. */
    @SuppressWarnings("serial")
    static class PlainLogger extends LegacyAbstractLogger {
        final List<String> lines = new ArrayList<>();
        final List<Throwable> causes = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, args));
            causes.add(t);
        }

        @Override public boolean isTraceEnabled() { return true; }
        @Override public boolean isDebugEnabled() { return true; }
        @Override public boolean isInfoEnabled() { return true; }
        @Override public boolean isWarnEnabled() { return true; }
        @Override public boolean isErrorEnabled() { return true; }
    }

    /** A binding that takes whole events, as logback's loggers do. */
    @SuppressWarnings("serial")
    static final class EventLogger extends PlainLogger implements LoggingEventAware {
        final List<LoggingEvent> events = new ArrayList<>();

        @Override
        public void log(LoggingEvent event) {
            events.add(event);
        }
    }

    @Test
    void aStructuredBindingGetsTheLineAndEachPairAsAKeyValue() {
        EventLogger log = new EventLogger();
        RuntimeException boom = new RuntimeException("boom");
        StructuredLog.error(log, "crash_report", boom, "pid", "<0.7.0>", "name", null, "reason", "crash");
        assertEquals(List.of(), log.lines, "nothing through the formatted path");
        LoggingEvent e = log.events.getFirst();
        assertEquals(Level.ERROR, e.getLevel());
        assertEquals("crash_report pid=<0.7.0> name=null reason=crash",
                MessageFormatter.basicArrayFormat(e.getMessage(), e.getArgumentArray()));
        assertEquals(List.of("pid=<0.7.0>", "name=null", "reason=crash"),
                e.getKeyValuePairs().stream().map(kv -> kv.key + "=" + kv.value).toList());
        assertSame(boom, e.getThrowable());
    }

    @Test
    void aPlainBindingGetsTheLineOnceWithTheStackAndNoPrefixedPairs() {
        PlainLogger log = new PlainLogger();
        RuntimeException boom = new RuntimeException("boom");
        StructuredLog.error(log, "process_crash", boom, "pid", "<0.8.0>", "exception", "java.lang.RuntimeException");
        assertEquals(List.of("ERROR process_crash pid=<0.8.0> exception=java.lang.RuntimeException"), log.lines);
        assertSame(boom, log.causes.getFirst());
        StructuredLog.error(log, "crash_report", null, "pid", "<0.9.0>");
        assertEquals("ERROR crash_report pid=<0.9.0>", log.lines.get(1));
        assertNull(log.causes.get(1));
        assertEquals(2, log.lines.size(), Arrays.toString(log.lines.toArray()));
    }
}
