package io.otpj.finance.demo;

import io.otpj.finance.domain.Donation;
import io.otpj.finance.money.Money;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The donors' append-only record of what they were told: one line per acknowledged donation,
 * {@code id campaignId minorUnits currency}, written by the donor right after the acknowledgement
 * and before it makes its next donation. Each line is one {@code write} to a file opened for
 * appending, so it is in the operating system when the donor goes on, and survives the JVM's
 * SIGKILL (not a power loss: it is not forced to disk). A recovery after a crash reads it to
 * prove that every acknowledged donation is in the database.
 *
 * <p>Thread-safe: donors write concurrently (the channel serialises appends).
 */
final class AckLog implements AutoCloseable {

    /** What one line says. */
    record Ack(String id, String campaignId, Money amount) {}

    private final FileChannel channel;

    private AckLog(FileChannel channel) {
        this.channel = channel;
    }

    /** @return where a run's acknowledgements go under {@code dataDir} */
    static Path file(Path dataDir, String runId) {
        return dataDir.resolve("acks").resolve(runId + ".log");
    }

    /** Opens (creating) the run's file for appending. */
    static AckLog open(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return new AckLog(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the acknowledgement file " + file, e);
        }
    }

    /** Appends {@code d}'s line. */
    void record(Donation d) {
        String line = d.id() + " " + d.campaignId() + " " + d.amount().toMinorUnits() + " "
                + d.amount().currency().getCurrencyCode() + "\n";
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the acknowledgement file", e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a run's file. A last line without its newline (the JVM killed in the middle of a write)
     * is left out: its donor had not gone on yet.
     *
     * @return the acknowledgements by donation id, in file order
     */
    static Map<String, Ack> read(Path file) throws IOException {
        Map<String, Ack> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<String> lines = text.lines().toList();
        int complete = text.endsWith("\n") ? lines.size() : lines.size() - 1;
        for (int i = 0; i < complete; i++) {
            String[] f = lines.get(i).split(" ");
            if (f.length != 4) {
                throw new IOException(file + ":" + (i + 1) + ": not an acknowledgement line");
            }
            out.put(f[0], new Ack(f[0], f[1], Money.ofMinor(Long.parseLong(f[2]), Money.currency(f[3]))));
        }
        return out;
    }
}
