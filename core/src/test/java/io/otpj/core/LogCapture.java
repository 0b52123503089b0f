package io.otpj.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what slf4j-simple writes while open. slf4j-simple's default target is
 * {@code System.err}, looked up on every write (not cached), so swapping {@code System.err} sees
 * every log line; the original stream still gets everything. Assertions select lines by event
 * name and pid, so lines from other processes do not interfere.
 */
final class LogCapture implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    LogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                original.write(b);
                synchronized (captured) {
                    captured.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                original.write(b, off, len);
                synchronized (captured) {
                    captured.write(b, off, len);
                }
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    /** @return the captured lines that contain {@code event} and {@code pid=<that pid>} */
    List<String> lines(String event, Pid pid) {
        String text;
        synchronized (captured) {
            text = captured.toString(StandardCharsets.UTF_8);
        }
        String who = "pid=" + pid + " ";
        return text.lines().filter(l -> l.contains(event + " ") && l.contains(who)).toList();
    }

    /** @return everything captured so far */
    String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
