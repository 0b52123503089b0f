package io.otpj.core;

import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventAware;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Crash reports as one line of {@code key=value}s plus the stack, and, for a binding that takes
 * structured events (one whose loggers are {@link LoggingEventAware}, as logback's and log4j's
 * are), the same pairs as slf4j 2 key-values, so a JSON encoder gets them as fields.
 *
 * <p>The pairs go into the event only for such bindings: slf4j's fallback for the others would
 * print them a second time in front of the message. Stateless; safe from any thread.
 */
final class StructuredLog {

    private StructuredLog() {}

    /**
     * Logs {@code event} at error level.
     *
     * @param log the logger
     * @param event the event's name, first word of the line
     * @param cause the stack to print, or null
     * @param keyValues alternating keys (strings) and values; values are rendered with {@code toString}
     */
    static void error(Logger log, String event, Throwable cause, Object... keyValues) {
        if (!log.isErrorEnabled()) {
            return;
        }
        StringBuilder text = new StringBuilder(event);
        Object[] args = new Object[keyValues.length / 2 + (cause == null ? 0 : 1)];
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            text.append(' ').append(keyValues[i]).append("={}");
            args[i / 2] = keyValues[i + 1];
        }
        if (log instanceof LoggingEventAware) {
            LoggingEventBuilder b = log.atError().setMessage(text.toString());
            for (int i = 0; i + 1 < keyValues.length; i += 2) {
                b = b.addArgument(keyValues[i + 1]).addKeyValue((String) keyValues[i], keyValues[i + 1]);
            }
            if (cause != null) {
                b = b.setCause(cause);
            }
            b.log();
        } else {
            if (cause != null) {
                args[args.length - 1] = cause;
            }
            log.error(text.toString(), args);
        }
    }
}
