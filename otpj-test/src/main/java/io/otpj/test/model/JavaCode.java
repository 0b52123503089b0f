package io.otpj.test.model;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Renders values as Java source, so that a failing command sequence can be pasted into a
 * regression test: records as {@code new Outer.Inner(args)}, strings quoted, {@code long}s with
 * {@code L}, enums by constant, lists, sets, maps, optionals, currencies, durations and
 * instants by their factories. What it
 * cannot render is written as its {@code toString()} in a comment. Thread-safe.
 */
public final class JavaCode {

    private JavaCode() {}

    /**
     * Renders one value.
     *
     * @param v the value
     * @return Java source that evaluates to an equal value (for the types above)
     */
    public static String of(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> quote(s);
            case Character c -> "'" + (c == '\'' ? "\\'" : escape(String.valueOf(c))) + "'";
            case Long l -> l + "L";
            case Integer i -> i.toString();
            case Short s -> "(short) " + s;
            case Byte b -> "(byte) " + b;
            case Boolean b -> b.toString();
            case Double d -> d.isNaN() ? "Double.NaN" : d.isInfinite() ? (d > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY") : d + "d";
            case Float f -> f + "f";
            case BigDecimal b -> "new java.math.BigDecimal(\"" + b.toPlainString() + "\")";
            case BigInteger b -> "new java.math.BigInteger(\"" + b + "\")";
            case java.util.Currency c -> "java.util.Currency.getInstance(\"" + c.getCurrencyCode() + "\")";
            case java.time.Duration d -> "java.time.Duration.parse(\"" + d + "\")";
            case java.time.Instant i -> "java.time.Instant.parse(\"" + i + "\")";
            case Enum<?> e -> typeName(e.getDeclaringClass()) + "." + e.name();
            case Record r -> "new " + typeName(r.getClass()) + "(" + components(r) + ")";
            case Optional<?> o -> o.isEmpty() ? "java.util.Optional.empty()" : "java.util.Optional.of(" + of(o.get()) + ")";
            case List<?> l -> "java.util.List.of(" + l.stream().map(JavaCode::of).collect(Collectors.joining(", ")) + ")";
            case Set<?> s -> "java.util.Set.of(" + s.stream().map(JavaCode::of).collect(Collectors.joining(", ")) + ")";
            case Map<?, ?> m -> "java.util.Map.of(" + m.entrySet().stream().map(e -> of(e.getKey()) + ", " + of(e.getValue()))
                    .collect(Collectors.joining(", ")) + ")";
            case Class<?> c -> typeName(c) + ".class";
            default -> "/* " + v.getClass().getName() + ": " + String.valueOf(v).replace("*/", "* /") + " */ null";
        };
    }

    private static String components(Record r) {
        StringBuilder b = new StringBuilder();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            try {
                java.lang.reflect.Method m = c.getAccessor();
                if (!m.canAccess(r)) {
                    m.setAccessible(true);
                }
                b.append(of(m.invoke(r)));
            } catch (ReflectiveOperationException | RuntimeException e) {
                b.append("/* ").append(c.getName()).append(" unreadable */ null");
            }
        }
        return b.toString();
    }

    /** @return the source name of a class: nested classes as {@code Outer.Inner}, top-level ones simple */
    static String typeName(Class<?> c) {
        Class<?> outer = c.getEnclosingClass();
        return outer == null ? c.getSimpleName() : typeName(outer) + "." + c.getSimpleName();
    }

    private static String quote(String s) {
        return "\"" + escape(s) + "\"";
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }
}
