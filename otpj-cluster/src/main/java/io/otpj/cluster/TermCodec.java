package io.otpj.cluster;

import io.otpj.core.ExitReason;
import io.otpj.core.Pid;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The default {@link Codec}: a compact binary form of the values messages are made of, that
 * builds nothing it was not told to allow.
 *
 * <p>What it writes: {@code null}; {@code Boolean}, {@code Byte}, {@code Short}, {@code Character},
 * {@code Integer}, {@code Long}, {@code Float}, {@code Double}, {@code BigInteger},
 * {@code BigDecimal}; {@code String}; {@code byte[]}; {@code UUID}, {@code Instant},
 * {@code Duration}, {@code Currency}; {@code Optional}; any {@code List}, {@code Set} and {@code Map} (read back as
 * unmodifiable lists, insertion-ordered sets and maps); {@link Pid}s; {@link ExitReason}s; otpj's
 * own message records ({@link io.otpj.core.Exit}, {@link NodeEvent}); and
 * records and enums <em>whose class is on the allowlist</em>, by class name and components (or
 * constant name). Anything else, and any record or enum not allowed, is refused with
 * {@link IllegalArgumentException} naming the class, when written (so the sender fails) and
 * again when read (a node never loads, let alone instantiates, a class it does not allow).
 * Java serialization is never used.
 *
 * <p>Exit reasons are always writable: a crash is sent as a {@link RemoteCrash} (class name,
 * message, stack trace), and a term that cannot be written is sent as its {@code toString()}.
 *
 * <p>Records are built with their canonical constructor, so their validation runs on the
 * receiving node too (a failing one refuses the message). A record class in a named module must
 * be open to {@code io.otpj.cluster} for its accessors and constructor to be reachable. Reading
 * is bounded: nesting deeper than {@value #MAX_DEPTH} levels is refused. Thread-safe and
 * immutable.
 */
public final class TermCodec implements Codec {

    /** How deep values may nest. */
    public static final int MAX_DEPTH = 64;

    private static final int NULL = 0, TRUE = 1, FALSE = 2, INT = 3, LONG = 4, DOUBLE = 5, STRING = 6, BYTES = 7,
            LIST = 8, SET = 9, MAP = 10, ENUM = 11, RECORD = 12, PID = 13, REASON = 14, SHORT = 15, BYTE = 16,
            CHAR = 17, FLOAT = 18, DECIMAL = 19, BIGINT = 20, UUID_TAG = 21, INSTANT = 22, DURATION = 23,
            OPTIONAL = 24, CURRENCY = 25;

    /** otpj's own message records, allowed on every node: an exit message, node events. */
    private static final Set<String> BUILT_IN = Set.of(io.otpj.core.Exit.class.getName(),
            NodeEvent.Up.class.getName(), NodeEvent.Down.class.getName());

    private final Set<String> classes;
    private final List<String> packages;
    private final ClassLoader loader;
    private final ClassValue<RecordShape> shapes = new ClassValue<>() {
        @Override
        protected RecordShape computeValue(Class<?> type) {
            return RecordShape.of(type);
        }
    };

    private TermCodec(Set<String> classes, List<String> packages, ClassLoader loader) {
        this.classes = classes;
        this.packages = packages;
        this.loader = loader;
    }

    /**
     * Returns a codec that allows the records and enums named in {@code allowlist}.
     *
     * @param allowlist which record and enum classes may cross nodes
     * @param loader where allowed classes are loaded from when read
     * @return the codec
     * @throws NullPointerException if an argument is null
     */
    public static TermCodec allowing(Allowlist allowlist, ClassLoader loader) {
        Objects.requireNonNull(allowlist, "allowlist");
        Objects.requireNonNull(loader, "loader");
        return new TermCodec(allowlist.classNames(), allowlist.packages(), loader);
    }

    /**
     * Tells whether the class named {@code name} may cross nodes as a record or enum.
     *
     * @param name a binary class name
     * @return whether it is on the allowlist
     */
    public boolean allows(String name) {
        if (classes.contains(name) || BUILT_IN.contains(name)) {
            return true;
        }
        for (String p : packages) {
            if (name.startsWith(p) && name.indexOf('.', p.length()) < 0) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ writing

    @Override
    public void write(Object value, DataOutput out, Pids pids) throws IOException {
        write(value, out, pids, 0);
    }

    private void write(Object v, DataOutput out, Pids pids, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("value nests deeper than " + MAX_DEPTH + " levels");
        }
        switch (v) {
            case null -> out.writeByte(NULL);
            case Boolean b -> out.writeByte(b ? TRUE : FALSE);
            case Integer i -> { out.writeByte(INT); out.writeInt(i); }
            case Long l -> { out.writeByte(LONG); out.writeLong(l); }
            case Double d -> { out.writeByte(DOUBLE); out.writeDouble(d); }
            case String s -> { out.writeByte(STRING); writeString(s, out); }
            case Short s -> { out.writeByte(SHORT); out.writeShort(s); }
            case Byte b -> { out.writeByte(BYTE); out.writeByte(b); }
            case Character c -> { out.writeByte(CHAR); out.writeChar(c); }
            case Float f -> { out.writeByte(FLOAT); out.writeFloat(f); }
            case BigInteger b -> { out.writeByte(BIGINT); writeBytes(b.toByteArray(), out); }
            case BigDecimal d -> { out.writeByte(DECIMAL); writeBytes(d.unscaledValue().toByteArray(), out); out.writeInt(d.scale()); }
            case byte[] b -> { out.writeByte(BYTES); writeBytes(b, out); }
            case UUID u -> { out.writeByte(UUID_TAG); out.writeLong(u.getMostSignificantBits()); out.writeLong(u.getLeastSignificantBits()); }
            case Instant t -> { out.writeByte(INSTANT); out.writeLong(t.getEpochSecond()); out.writeInt(t.getNano()); }
            case Duration d -> { out.writeByte(DURATION); out.writeLong(d.getSeconds()); out.writeInt(d.getNano()); }
            case java.util.Currency c -> { out.writeByte(CURRENCY); writeString(c.getCurrencyCode(), out); }
            case Optional<?> o -> {
                out.writeByte(OPTIONAL);
                out.writeBoolean(o.isPresent());
                if (o.isPresent()) {
                    write(o.get(), out, pids, depth + 1);
                }
            }
            case Pid p -> { out.writeByte(PID); pids.write(p, out); }
            case ExitReason r -> { out.writeByte(REASON); writeReason(r, out, pids, depth); }
            case List<?> l -> {
                out.writeByte(LIST);
                out.writeInt(l.size());
                for (Object e : l) {
                    write(e, out, pids, depth + 1);
                }
            }
            case Set<?> s -> {
                out.writeByte(SET);
                out.writeInt(s.size());
                for (Object e : s) {
                    write(e, out, pids, depth + 1);
                }
            }
            case Map<?, ?> m -> {
                out.writeByte(MAP);
                out.writeInt(m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    write(e.getKey(), out, pids, depth + 1);
                    write(e.getValue(), out, pids, depth + 1);
                }
            }
            case Enum<?> e -> {
                Class<?> type = e.getDeclaringClass();
                requireAllowed(type.getName(), "enum");
                out.writeByte(ENUM);
                writeString(type.getName(), out);
                writeString(e.name(), out);
            }
            case Record r -> {
                Class<?> type = r.getClass();
                requireAllowed(type.getName(), "record");
                RecordShape shape = shapes.get(type);
                out.writeByte(RECORD);
                writeString(type.getName(), out);
                out.writeByte(shape.accessors.length);
                for (Method m : shape.accessors) {
                    write(shape.get(m, r), out, pids, depth + 1);
                }
            }
            default -> throw new IllegalArgumentException("cannot send a " + v.getClass().getName()
                    + " to another node: only records and enums on the cluster's allowlist, strings, numbers,"
                    + " collections, pids and exit reasons cross nodes");
        }
    }

    private void requireAllowed(String name, String what) {
        if (!allows(name)) {
            throw new IllegalArgumentException(what + " " + name + " is not on the cluster's allowlist"
                    + " (ClusterOptions.allow...): it cannot cross nodes");
        }
    }

    private void writeReason(ExitReason r, DataOutput out, Pids pids, int depth) throws IOException {
        switch (r) {
            case ExitReason.Normal n -> out.writeByte(0);
            case ExitReason.Shutdown s -> out.writeByte(1);
            case ExitReason.ShutdownWith(Object term) -> { out.writeByte(2); writeTermOrText(term, out, pids, depth); }
            case ExitReason.Kill k -> out.writeByte(3);
            case ExitReason.Killed k -> out.writeByte(4);
            case ExitReason.NoProc n -> out.writeByte(5);
            case ExitReason.Timeout t -> out.writeByte(6);
            case ExitReason.NoConnection n -> out.writeByte(7);
            case ExitReason.Crash(Throwable cause) -> {
                out.writeByte(8);
                writeString(cause instanceof RemoteCrash rc ? rc.className() : cause.getClass().getName(), out);
                String message = cause instanceof RemoteCrash rc
                        ? messageOf(rc) : cause.getMessage();
                out.writeBoolean(message != null);
                if (message != null) {
                    writeString(message, out);
                }
                StackTraceElement[] stack = cause.getStackTrace();
                int n = Math.min(stack.length, 64);
                out.writeShort(n);
                for (int i = 0; i < n; i++) {
                    StackTraceElement e = stack[i];
                    writeString(e.getClassName(), out);
                    writeString(e.getMethodName(), out);
                    writeString(e.getFileName() == null ? "" : e.getFileName(), out);
                    out.writeInt(e.getLineNumber());
                }
            }
            case ExitReason.BadReturnValue(String callback, Object value) -> {
                out.writeByte(9);
                writeString(callback, out);
                writeTermOrText(value, out, pids, depth);
            }
            case ExitReason.AlreadyStarted(Pid pid) -> { out.writeByte(10); pids.write(pid, out); }
            case ExitReason.Term(Object term) -> { out.writeByte(11); writeTermOrText(term, out, pids, depth); }
        }
    }

    private static String messageOf(RemoteCrash rc) {
        String m = rc.getMessage();
        String prefix = rc.className() + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : null;
    }

    /** A term inside a reason: written if it can be, else its text (a reason is always sendable). */
    private void writeTermOrText(Object term, DataOutput out, Pids pids, int depth) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            write(term, new DataOutputStream(buf), pids, depth + 1);
        } catch (IllegalArgumentException notSendable) {
            buf.reset();
            DataOutputStream d = new DataOutputStream(buf);
            d.writeByte(STRING);
            writeString(String.valueOf(term), d);
        }
        out.write(buf.toByteArray());
    }

    private static void writeString(String s, DataOutput out) throws IOException {
        writeBytes(s.getBytes(StandardCharsets.UTF_8), out);
    }

    private static void writeBytes(byte[] b, DataOutput out) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    // ------------------------------------------------------------------ reading

    @Override
    public Object read(DataInput in, Pids pids) throws IOException {
        return read(in, pids, 0);
    }

    private Object read(DataInput in, Pids pids, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("value nests deeper than " + MAX_DEPTH + " levels");
        }
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case NULL -> null;
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case DOUBLE -> in.readDouble();
            case STRING -> readString(in);
            case SHORT -> in.readShort();
            case BYTE -> in.readByte();
            case CHAR -> in.readChar();
            case FLOAT -> in.readFloat();
            case BIGINT -> new BigInteger(readBytes(in));
            case DECIMAL -> new BigDecimal(new BigInteger(readBytes(in)), in.readInt());
            case BYTES -> readBytes(in);
            case UUID_TAG -> new UUID(in.readLong(), in.readLong());
            case INSTANT -> Instant.ofEpochSecond(in.readLong(), in.readInt());
            case DURATION -> Duration.ofSeconds(in.readLong(), in.readInt());
            case CURRENCY -> {
                String code = readString(in);
                try {
                    yield java.util.Currency.getInstance(code);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("malformed value: no currency " + code, e);
                }
            }
            case OPTIONAL -> in.readBoolean() ? Optional.ofNullable(read(in, pids, depth + 1)) : Optional.empty();
            case PID -> pids.read(in);
            case REASON -> readReason(in, pids, depth);
            case LIST -> {
                int n = readSize(in);
                List<Object> l = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    l.add(read(in, pids, depth + 1));
                }
                yield Collections.unmodifiableList(l);
            }
            case SET -> {
                int n = readSize(in);
                Set<Object> s = new LinkedHashSet<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    s.add(read(in, pids, depth + 1));
                }
                yield Collections.unmodifiableSet(s);
            }
            case MAP -> {
                int n = readSize(in);
                Map<Object, Object> m = new LinkedHashMap<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    Object k = read(in, pids, depth + 1);
                    m.put(k, read(in, pids, depth + 1));
                }
                yield Collections.unmodifiableMap(m);
            }
            case ENUM -> {
                Class<?> type = allowedClass(readString(in), "enum");
                if (!type.isEnum()) {
                    throw new IllegalArgumentException(type.getName() + " is not an enum");
                }
                String constant = readString(in);
                for (Object c : type.getEnumConstants()) {
                    if (((Enum<?>) c).name().equals(constant)) {
                        yield c;
                    }
                }
                throw new IllegalArgumentException("enum " + type.getName() + " has no constant " + constant);
            }
            case RECORD -> {
                Class<?> type = allowedClass(readString(in), "record");
                if (!type.isRecord()) {
                    throw new IllegalArgumentException(type.getName() + " is not a record");
                }
                RecordShape shape = shapes.get(type);
                int n = in.readUnsignedByte();
                if (n != shape.accessors.length) {
                    throw new IllegalArgumentException("record " + type.getName() + " has " + shape.accessors.length
                            + " components here, " + n + " on the sending node");
                }
                Object[] args = new Object[n];
                for (int i = 0; i < n; i++) {
                    args[i] = read(in, pids, depth + 1);
                }
                yield shape.make(args);
            }
            default -> throw new IllegalArgumentException("malformed value: unknown tag " + tag);
        };
    }

    private ExitReason readReason(DataInput in, Pids pids, int depth) throws IOException {
        int kind = in.readUnsignedByte();
        return switch (kind) {
            case 0 -> ExitReason.normal();
            case 1 -> ExitReason.shutdown();
            case 2 -> ExitReason.shutdown(read(in, pids, depth + 1));
            case 3 -> ExitReason.kill();
            case 4 -> ExitReason.killed();
            case 5 -> ExitReason.noproc();
            case 6 -> ExitReason.timeout();
            case 7 -> ExitReason.noconnection();
            case 8 -> {
                String className = readString(in);
                String message = in.readBoolean() ? readString(in) : null;
                int n = in.readUnsignedShort();
                StackTraceElement[] stack = new StackTraceElement[n];
                for (int i = 0; i < n; i++) {
                    String c = readString(in), m = readString(in), f = readString(in);
                    stack[i] = new StackTraceElement(c, m, f.isEmpty() ? null : f, in.readInt());
                }
                yield ExitReason.crash(new RemoteCrash(className, message, stack));
            }
            case 9 -> {
                String callback = readString(in);
                yield new ExitReason.BadReturnValue(callback, read(in, pids, depth + 1));
            }
            case 10 -> new ExitReason.AlreadyStarted(pids.read(in));
            case 11 -> ExitReason.of(Objects.requireNonNullElse(read(in, pids, depth + 1), "null"));
            default -> throw new IllegalArgumentException("malformed exit reason: kind " + kind);
        };
    }

    private Class<?> allowedClass(String name, String what) {
        // Checked by name before anything is loaded: a refused class is never initialized.
        if (!allows(name)) {
            throw new IllegalArgumentException(what + " " + name + " is not on this node's allowlist: refused");
        }
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(what + " " + name + " is allowed but not found on this node", e);
        }
    }

    private static int readSize(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IllegalArgumentException("malformed value: negative size " + n);
        }
        return n;
    }

    private static String readString(DataInput in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(DataInput in) throws IOException {
        int n = readSize(in);
        if (n > 64 << 20) {
            throw new IllegalArgumentException("malformed value: " + n + " bytes");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** A record class's accessors and canonical constructor, looked up once per class. */
    private record RecordShape(Method[] accessors, Constructor<?> constructor) {
        static RecordShape of(Class<?> type) {
            RecordComponent[] cs = type.getRecordComponents();
            if (cs == null) {
                throw new IllegalArgumentException(type.getName() + " is not a record");
            }
            Method[] accessors = new Method[cs.length];
            Class<?>[] types = new Class<?>[cs.length];
            for (int i = 0; i < cs.length; i++) {
                accessors[i] = cs[i].getAccessor();
                types[i] = cs[i].getType();
            }
            try {
                Constructor<?> c = type.getDeclaredConstructor(types);
                c.setAccessible(true);
                for (Method m : accessors) {
                    m.setAccessible(true);
                }
                return new RecordShape(accessors, c);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("record " + type.getName() + " is not reachable by otpj-cluster"
                        + " (open its package to io.otpj.cluster): " + e.getMessage(), e);
            }
        }

        Object get(Method accessor, Object record) {
            try {
                return accessor.invoke(record);
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("cannot read " + accessor + ": " + e.getMessage(), e);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("accessor " + accessor + " threw " + e.getCause(), e.getCause());
            }
        }

        Object make(Object[] args) {
            try {
                return constructor.newInstance(args);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("record " + constructor.getDeclaringClass().getName()
                        + " refused its components: " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot build record " + constructor.getDeclaringClass().getName()
                        + ": " + e.getMessage(), e);
            }
        }
    }
}
