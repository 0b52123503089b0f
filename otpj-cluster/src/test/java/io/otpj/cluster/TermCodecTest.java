package io.otpj.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The default codec: round trips of what it writes, refusal of what it must not build. */
class TermCodecTest {

    enum Colour { RED, GREEN }
    record Point(int x, int y) {}
    record Box(String label, List<Point> points, Colour colour, Optional<Point> origin) {}
    record Positive(int n) {
        Positive {
            if (n <= 0) {
                throw new IllegalArgumentException("not positive: " + n);
            }
        }
    }
    record Secret(String s) {}

    /** A record whose class must never be initialized by a node that does not allow it. */
    static final class Tripwire {
        static volatile boolean initialized;
    }
    record Loaded(int n) {
        static {
            Tripwire.initialized = true;
        }
    }

    private static final Codec.Pids NO_PIDS = new Codec.Pids() {
        @Override public void write(Pid pid, DataOutput out) { throw new AssertionError("no pids here"); }
        @Override public Pid read(DataInput in) { throw new AssertionError("no pids here"); }
    };

    private final TermCodec codec = TermCodec.allowing(Allowlist.none().allow(Colour.class, Point.class, Box.class,
            Positive.class), getClass().getClassLoader());

    private byte[] write(TermCodec c, Object v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        c.write(v, new DataOutputStream(b), NO_PIDS);
        return b.toByteArray();
    }

    private Object read(TermCodec c, byte[] bytes) throws IOException {
        return c.read(new DataInputStream(new ByteArrayInputStream(bytes)), NO_PIDS);
    }

    private Object roundTrip(Object v) throws IOException {
        return read(codec, write(codec, v));
    }

    @Test
    void theBuiltInTypesAndAllowedRecordsComeBackEqual() throws IOException {
        List<Object> values = List.of(1, 2L, 3.5, 4.5f, (short) 5, (byte) 6, 'c', "text", true, BigInteger.TEN.pow(30),
                new BigDecimal("12.3400"), UUID.randomUUID(), Instant.parse("2026-12-07T01:02:03.456Z"),
                Duration.ofMillis(1500), java.util.Currency.getInstance("IDR"), Optional.empty(), Optional.of("x"), List.of(1, List.of("a")), Set.of(1, 2),
                Map.of("k", List.of(Colour.RED)), new Box("b", List.of(new Point(1, 2)), Colour.GREEN, Optional.of(new Point(0, 0))),
                ExitReason.normal(), ExitReason.shutdown("why"), ExitReason.killed(), ExitReason.noconnection(),
                ExitReason.of(new Point(3, 4)));
        for (Object v : values) {
            assertEquals(v, roundTrip(v), () -> "round trip of " + v);
        }
        assertEquals(null, roundTrip(null));
        byte[] bytes = {1, 2, 3};
        assertTrue(java.util.Arrays.equals(bytes, (byte[]) roundTrip(bytes)));
    }

    @Property(tries = 200)
    void nestedCollectionsRoundTrip(@ForAll("terms") Object term) throws IOException {
        assertEquals(term, roundTrip(term));
    }

    @Provide
    Arbitrary<Object> terms() {
        Arbitrary<Object> leaf = Arbitraries.oneOf(Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l), Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
                Arbitraries.of(Colour.class).map(c -> (Object) c),
                Arbitraries.integers().between(-5, 5).map(i -> (Object) new Point(i, -i)));
        return Arbitraries.recursive(() -> leaf, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(5), inner).ofMaxSize(3).map(m -> (Object) m)), 0, 3);
    }

    @Test
    void aClassNotAllowedIsRefusedWhenWrittenAndWhenReadAndNeverLoadedByTheReader() throws IOException {
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class, () -> write(codec, new Secret("pw")));
        assertTrue(w.getMessage().contains(Secret.class.getName()), w.getMessage());
        assertFalse(w.getMessage().contains("pw"), "the value itself is not in the message");
        assertThrows(IllegalArgumentException.class, () -> write(codec, new Object()));
        assertThrows(IllegalArgumentException.class, () -> write(codec, List.of(Thread.currentThread())));

        // Written by a node that allows Loaded (written by name: the class is not initialized here
        // either), read by one that does not: refused before the class is looked up.
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeByte(12); // a record
        byte[] name = Loaded.class.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        d.writeInt(name.length);
        d.write(name);
        d.writeByte(1);
        d.writeByte(3);
        d.writeInt(7);
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> read(codec, b.toByteArray()));
        assertTrue(r.getMessage().contains("allowlist"), r.getMessage());
        assertFalse(Tripwire.initialized, "a refused class must not be initialized");
    }

    @Test
    void aRecordsValidationRunsOnTheReadingSide() throws IOException {
        TermCodec lax = TermCodec.allowing(Allowlist.none().allow(Positive.class), getClass().getClassLoader());
        byte[] ok = write(lax, new Positive(1));
        ok[ok.length - 1] = 0; // the int component, made 0 on the wire
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(lax, ok));
        assertTrue(e.getMessage().contains("not positive"), e.getMessage());
    }

    @Test
    void anExitReasonAlwaysCrossesAndACrashComesBackAsARemoteCrash() throws IOException {
        Object back = roundTrip(ExitReason.crash(new IllegalStateException("boom")));
        RemoteCrash rc = assertInstanceOf(RemoteCrash.class, assertInstanceOf(ExitReason.Crash.class, back).cause());
        assertEquals(IllegalStateException.class.getName(), rc.className());
        assertTrue(rc.getStackTrace().length > 0);
        assertEquals(back, roundTrip(back)); // a crash from a third node passes on unchanged
        // A term the codec cannot write travels as its text.
        assertEquals(ExitReason.of("Secret[s=x]"), roundTrip(ExitReason.of(new Secret("x"))));
    }

    @Test
    void malformedInputIsRefusedWithAClearError() {
        assertThrows(IllegalArgumentException.class, () -> read(codec, new byte[] {99}));
        assertThrows(IllegalArgumentException.class, () -> read(codec, new byte[] {8, -1, -1, -1, -1})); // list of -1
        assertThrows(IOException.class, () -> read(codec, new byte[] {6, 0, 0, 0, 9, 'a'})); // string cut short
        Object deep = 1;
        for (int i = 0; i < TermCodec.MAX_DEPTH + 2; i++) {
            deep = List.of(deep);
        }
        Object tooDeep = deep;
        assertThrows(IllegalArgumentException.class, () -> write(codec, tooDeep));
    }

    @Test
    void anAllowlistTakesOnlyRecordsAndEnumsAndPackagesByName() {
        assertThrows(IllegalArgumentException.class, () -> Allowlist.none().allow(String.class));
        assertThrows(IllegalArgumentException.class, () -> Allowlist.none().allowPackage("com.example."));
        TermCodec byPackage = TermCodec.allowing(Allowlist.none().allowPackage("io.otpj.cluster"), getClass().getClassLoader());
        assertTrue(byPackage.allows(Point.class.getName()));
        assertFalse(byPackage.allows("io.otpj.cluster.sub.Thing"));
        assertFalse(byPackage.allows("io.otpj.clusterX.Thing"));
    }
}
