package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layout the control block's class chain promises: the fields its owner writes as it runs
 * and the fields every sender reads are at least a cache line (64 bytes) apart, whatever the
 * address of the object, so a busy process's own writes never invalidate the line its senders
 * read. Reads the offsets the JVM chose (jdk.internal.misc.Unsafe, exported to the tests at run
 * time by core's build and called reflectively, since javac's --release forbids the export); a
 * field added in the wrong class, or one that fills a gap in a superclass, fails it.
 */
class PcbLayoutTest {

    private static final Object UNSAFE;
    private static final Method OFFSET;
    static {
        try {
            Class<?> u = Class.forName("jdk.internal.misc.Unsafe");
            UNSAFE = u.getMethod("getUnsafe").invoke(null);
            OFFSET = u.getMethod("objectFieldOffset", Class.class, String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    record F(Class<?> owner, String name, int size) {
        long offset() {
            try {
                return (long) OFFSET.invoke(UNSAFE, owner, name);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("no field " + owner.getSimpleName() + "." + name, e);
            }
        }
    }

    static final List<F> OWNER_HOT = List.of(
            new F(Waiter.class, "credit", 4), new F(Waiter.class, "backoff", 4),
            new F(Waiter.class, "partnerSince", 8), new F(Waiter.class, "partnerSeen", 4),
            new F(Waiter.class, "reductions", 4), new F(Waiter.class, "sliceStart", 4),
            new F(PcbOwnerFields.class, "gate", 4), new F(PcbOwnerFields.class, "gateDepth", 4),
            new F(PcbOwnerFields.class, "running", 4),
            new F(PcbOwnerFields.class, "flags", 4), new F(PcbOwnerFields.class, "partner", 4),
            new F(PcbOwnerFields.class, "saved", 4));

    static final List<F> SENDER_READ = List.of(
            new F(Mailbox.class, "queue", 4), new F(Mailbox.class, "bounds", 4), new F(Mailbox.class, "exitReason", 4),
            new F(Mailbox.class, "parked", 4), new F(Mailbox.class, "queueShape", 4), new F(Pcb.class, "pid", 4));

    @Test
    void ownerWrittenAndSenderReadFieldsAreACacheLineApart() {
        long ownerEnd = OWNER_HOT.stream().mapToLong(f -> f.offset() + f.size()).max().orElseThrow();
        long senderStart = SENDER_READ.stream().mapToLong(F::offset).min().orElseThrow();
        StringBuilder layout = new StringBuilder();
        for (F f : OWNER_HOT) {
            layout.append(' ').append(f.name()).append('@').append(f.offset());
        }
        layout.append(" |");
        for (F f : SENDER_READ) {
            layout.append(' ').append(f.name()).append('@').append(f.offset());
        }
        assertTrue(senderStart - ownerEnd >= 64,
                "owner-written fields end at " + ownerEnd + ", sender-read fields start at " + senderStart + ":" + layout);
    }
}
