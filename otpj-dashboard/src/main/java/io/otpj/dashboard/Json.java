package io.otpj.dashboard;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A small JSON writer for the dashboard's snapshots: maps (insertion order kept), collections,
 * strings, numbers, booleans, {@link Optional}s (empty: null) and null; anything else is written
 * as its {@code toString}, as a string. Strings are escaped so that the output is also safe inside
 * an HTML {@code <script>} or an SSE {@code data:} line ({@code <}, {@code >}, {@code &}, line
 * separators and every control character are escaped). Stateless.
 */
final class Json {

    private Json() {}

    static String write(Object value) {
        StringBuilder b = new StringBuilder(256);
        write(b, value);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        switch (v) {
            case null -> b.append("null");
            case String s -> string(b, s);
            case Boolean x -> b.append(x);
            case Integer x -> b.append(x);
            case Long x -> b.append(x);
            case Double x -> b.append(Double.isFinite(x) ? x.toString() : "null");
            case Optional<?> o -> write(b, o.orElse(null));
            case OptionalLong o -> write(b, o.isPresent() ? o.getAsLong() : null);
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    string(b, String.valueOf(e.getKey()));
                    b.append(':');
                    write(b, e.getValue());
                }
                b.append('}');
            }
            case Collection<?> c -> {
                b.append('[');
                boolean first = true;
                for (Object e : c) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    write(b, e);
                }
                b.append(']');
            }
            default -> string(b, String.valueOf(v));
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029' || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
