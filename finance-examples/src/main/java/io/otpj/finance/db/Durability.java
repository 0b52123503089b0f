package io.otpj.finance.db;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a JDBC URL promises about a committed write, and what logs may show of it.
 *
 * <p>"Acknowledged" in this module means committed and written: a donor told "accepted" must
 * find the donation after a kill -9. Each accepted URL is checked for that:
 * <ul>
 *   <li>H2 in memory ({@code jdbc:h2:mem:}, or {@code mem:} behind {@code tcp:}/{@code ssl:}) keeps
 *       nothing: not durable.</li>
 *   <li>H2 files: a commit is written to the file before it returns only with
 *       {@code WRITE_DELAY=0}; it is added when the URL does not set it, and any other value is not
 *       durable.</li>
 *   <li>PostgreSQL: durable unless the URL turns {@code synchronous_commit} off or to
 *       {@code local} (through its {@code options} parameter).</li>
 * </ul>
 * A non-durable URL is refused unless the caller asks for it explicitly
 * ({@link Database.Options#withEphemeral}, the demo's {@code --ephemeral}); then
 * {@link Database#durable()} is false and the demo's report says the run was not durable.
 * Stateless and thread-safe.
 */
public final class Durability {

    private static final Pattern WRITE_DELAY = Pattern.compile("(?i);\\s*WRITE_DELAY\\s*=\\s*([^;]*)");
    private static final Pattern SYNC_OFF = Pattern.compile("(?i)synchronous_commit\\s*(?:=|%3d)\\s*(off|local|false|0)\\b");
    private static final Pattern PASSWORD = Pattern.compile("(?i)(password\\s*=)[^&;]*");
    private static final Pattern USERINFO = Pattern.compile("(//[^/:@]*:)[^@/]*@");

    private Durability() {}

    /**
     * Why {@code url} does not make commits durable, or null if it does (after {@link #durableUrl}).
     *
     * @param url a {@code jdbc:h2:} or {@code jdbc:postgresql:} URL
     * @return the reason, or null
     */
    public static String whyNotDurable(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:h2:")) {
            String rest = u.substring("jdbc:h2:".length());
            if (h2InMemory(rest) || rest.matches("(tcp|ssl)://[^/]*/.*") && h2InMemory(rest.replaceFirst("(tcp|ssl)://[^/]*/", ""))) {
                return "an H2 in-memory database keeps nothing after its JVM ends";
            }
            Matcher m = WRITE_DELAY.matcher(url);
            String last = null;
            while (m.find()) {
                last = m.group(1).trim();
            }
            if (last != null && !last.equals("0")) {
                return "H2 with WRITE_DELAY=" + last + " writes commits to the file up to " + last
                        + " ms after they return";
            }
            return null;
        }
        if (SYNC_OFF.matcher(url).find()) {
            return "PostgreSQL with synchronous_commit off or local acknowledges commits before they are durable";
        }
        return null;
    }

    /**
     * Whether the part of an H2 URL after {@code jdbc:h2:} (lower case) names a database in memory:
     * {@code mem:}, H2's in-memory file systems ({@code memFS:}, {@code memLZF:},
     * {@code nioMemFS:}, {@code nioMemLZF:}), or {@code .}, which H2 reads as {@code mem:}.
     */
    static boolean h2InMemory(String rest) {
        String name = rest.split(";", 2)[0];
        return name.startsWith("mem:") || name.startsWith("memfs:") || name.startsWith("memlzf:")
                || name.startsWith("niomemfs:") || name.startsWith("niomemlzf:") || name.equals(".");
    }

    /**
     * {@code url} with what makes it durable added: {@code WRITE_DELAY=0} for an H2 file URL that
     * does not set it.
     *
     * @param url the URL as given
     * @return the URL to connect with
     */
    static String durableUrl(String url) {
        if (url.startsWith("jdbc:h2:") && whyNotDurable(url) == null && !WRITE_DELAY.matcher(url).find()) {
            return url + ";WRITE_DELAY=0";
        }
        return url;
    }

    /**
     * {@code text} with every password masked: {@code password=...} parameters and the
     * {@code user:password@} part of a URL. For anything that prints a URL or a driver's message.
     *
     * @param text a URL or a message that may contain one; null gives null
     * @return the text with passwords replaced by {@code ***}
     */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String t = PASSWORD.matcher(text).replaceAll("$1***");
        return USERINFO.matcher(t).replaceAll("$1***@");
    }
}
