package io.otpj.finance.db;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a JDBC URL promises about a committed write, and what logs may show of it.
 *
 * <p>"Acknowledged" in this module means committed and written: a donor told "accepted" must
 * find the donation after a kill -9. Each accepted URL is checked for that:
 * <ul>
 *   <li>H2 in memory ({@code jdbc:h2:mem:}, or {@code mem:} behind {@code tcp:}/{@code ssl:}) keeps
 *       nothing: not durable.</li>
 *   <li>H2 files, whatever their {@code WRITE_DELAY}: {@link Database} follows every commit that
 *       wrote something with {@code CHECKPOINT}, which writes it to the file before the commit is
 *       reported (H2 alone keeps a commit in memory for up to {@code WRITE_DELAY} ms, 500 by
 *       default).</li>
 *   <li>PostgreSQL: durable unless the URL turns {@code synchronous_commit} off or to
 *       {@code local} (through its {@code options} parameter).</li>
 * </ul>
 * A non-durable URL is refused unless the caller asks for it explicitly
 * ({@link Database.Options#withEphemeral}, the demo's {@code --ephemeral}); then
 * {@link Database#durable()} is false and the demo's report says the run was not durable.
 * Stateless and thread-safe.
 */
public final class Durability {

    private static final Pattern SYNC_OFF = Pattern.compile("(?i)synchronous_commit\\s*(?:=|%3d)\\s*(off|local|false|0)\\b");
    private static final Pattern PASSWORD = Pattern.compile("(?i)(password\\s*=)[^&;]*");
    private static final Pattern USERINFO = Pattern.compile("(//[^/:@]*:)[^@/]*@");

    private Durability() {}

    /**
     * Why {@code url} does not make commits durable (as {@link Database} uses it), or null if it does.
     *
     * @param url a {@code jdbc:h2:} or {@code jdbc:postgresql:} URL
     * @return the reason, or null
     */
    public static String whyNotDurable(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:h2:")) {
            String rest = u.substring("jdbc:h2:".length());
            if (rest.startsWith("mem:") || rest.matches("(tcp|ssl)://[^/]*/mem:.*")) {
                return "an H2 in-memory database keeps nothing after its JVM ends";
            }
            return null;
        }
        if (SYNC_OFF.matcher(url).find()) {
            return "PostgreSQL with synchronous_commit off or local acknowledges commits before they are durable";
        }
        return null;
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
