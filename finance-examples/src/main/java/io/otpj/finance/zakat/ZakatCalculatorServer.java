package io.otpj.finance.zakat;

import io.otpj.core.Call;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import io.otpj.finance.money.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Currency;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The seed's {@code Financial.ZakatCalculatorServer}: zakat calculations with a cache and
 * statistics (hit rate), registered under {@link #NAME} like the seed's {@code name: __MODULE__}.
 *
 * <p>A calculation is looked up in the cache by (wealth, nisab); a miss computes it with
 * {@link Zakat#calculate}, records it in the history and the per-currency total and caches it; a
 * hit only counts the hit. As in the seed, the calculation count and the total count the misses
 * (the calculations actually performed). The cache holds the {@code cacheLimit} most recently
 * used results (least recently used are evicted) and the history the latest
 * {@code historyLimit}: the state is bounded, as the seed's best practices ask.
 *
 * <p>Bad arguments (negative amounts, wealth and nisab in different currencies) are rejected in
 * the caller, before anything is sent: they change nothing, not even the statistics.
 */
public final class ZakatCalculatorServer implements GenServer<ZakatCalculatorServer.Options, ZakatCalculatorServer.State> {

    /** The name the server registers under by default. */
    public static final Name NAME = Name.local(ZakatCalculatorServer.class.getName());

    /**
     * @param cacheLimit how many results the cache keeps, at least 1
     * @param historyLimit how many calculations the history keeps, at least 1
     */
    public record Options(int cacheLimit, int historyLimit) {
        /** @throws IllegalArgumentException for limits below 1 */
        public Options {
            if (cacheLimit < 1 || historyLimit < 1) {
                throw new IllegalArgumentException("cacheLimit and historyLimit must be at least 1, got "
                        + cacheLimit + " and " + historyLimit);
            }
        }

        /** @return a cache of 10 000 results and a history of 1000 calculations */
        public static Options defaults() {
            return new Options(10_000, 1000);
        }
    }

    /**
     * The statistics ({@code get_statistics}).
     *
     * @param totalCalculations calculations performed (cache misses)
     * @param totalZakat zakat calculated, per currency
     * @param cacheHits calculations answered from the cache
     * @param cacheMisses calculations performed
     * @param cacheHitRate hits in percent of all requests, two decimals; 0.0 before any request
     * @param cacheSize results in the cache
     */
    public record Statistics(long totalCalculations, Map<Currency, Money> totalZakat, long cacheHits, long cacheMisses,
            double cacheHitRate, int cacheSize) {}

    /** The server's state; confined to its process. */
    static final class State {
        final Options options;
        final Deque<Calculation> calculations = new ArrayDeque<>();
        final LinkedHashMap<CacheKey, Money> cache;
        final Map<Currency, Money> totalCalculated = new TreeMap<>(Comparator.comparing(Currency::getCurrencyCode));
        long count;
        long cacheHits;
        long cacheMisses;

        State(Options options) {
            this.options = options;
            // Access order plus removeEldestEntry: a least-recently-used cache of bounded size.
            this.cache = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<CacheKey, Money> eldest) {
                    return size() > options.cacheLimit();
                }
            };
        }
    }

    /** The seed's cache key {@code {wealth.amount, wealth.currency, nisab.amount}}. */
    record CacheKey(BigDecimal wealth, Currency currency, BigDecimal nisab) {}

    // Typed requests (Call<R>): the compiler checks the replies below and the client API above.
    private record Calculate(Money wealth, Money nisab) implements Call<Money> {}
    private record GetStatistics() implements Call<Statistics> {}
    private record GetHistory() implements Call<List<Calculation>> {}
    private record ClearCache() {}

    private ZakatCalculatorServer() {}

    // ------------------------------------------------------------------ client API

    /** Starts the server under {@link #NAME}, unlinked. */
    public static StartResult start(Options options) {
        return start(options, NAME);
    }

    /** Starts a server under {@code name}, unlinked. */
    public static StartResult start(Options options, Name name) {
        return GenServer.start(new ZakatCalculatorServer(), Objects.requireNonNull(options, "options"), name);
    }

    /** Starts a server under {@code name}, linked to the calling process (a supervisor). */
    public static StartResult startLink(Options options, Name name) {
        return GenServer.startLink(new ZakatCalculatorServer(), Objects.requireNonNull(options, "options"), name);
    }

    /** {@link #calculate(ServerRef, Money, Money)} on the server under {@link #NAME}. */
    public static Money calculate(Money wealth, Money nisab) {
        return calculate(NAME, wealth, nisab);
    }

    /**
     * @return the zakat due on {@code wealth} for the threshold {@code nisab}
     * @throws io.otpj.finance.money.CurrencyMismatchException if wealth and nisab differ in currency
     * @throws IllegalArgumentException if either is negative
     */
    public static Money calculate(ServerRef server, Money wealth, Money nisab) {
        Zakat.validate(wealth, nisab);
        return GenServer.call(server, new Calculate(wealth, nisab));
    }

    /** {@link #getStatistics(ServerRef)} of the server under {@link #NAME}. */
    public static Statistics getStatistics() {
        return getStatistics(NAME);
    }

    /** @return the server's statistics */
    public static Statistics getStatistics(ServerRef server) {
        return GenServer.call(server, new GetStatistics());
    }

    /** @return the latest calculations performed, newest first */
    public static List<Calculation> history(ServerRef server) {
        return GenServer.call(server, new GetHistory());
    }

    /** {@link #clearCache(ServerRef)} on the server under {@link #NAME}. */
    public static void clearCache() {
        clearCache(NAME);
    }

    /** Empties the cache, asynchronously; statistics and history stay. */
    public static void clearCache(ServerRef server) {
        GenServer.cast(server, new ClearCache());
    }

    // ------------------------------------------------------------------ callbacks

    @Override
    public InitResult<State> init(Options options) {
        return ok(new State(options));
    }

    @Override
    public CallResult<State> handleCall(Object request, From from, State s) throws Exception {
        return switch (request) {
            case Calculate c -> {
                Money wealth = c.wealth();
                Money nisab = c.nisab();
                CacheKey key = new CacheKey(wealth.amount(), wealth.currency(), nisab.amount());
                Money cached = s.cache.get(key);
                if (cached != null) {
                    s.cacheHits++;
                    yield replyTo(c, cached, s);
                }
                Money zakat = Zakat.calculate(wealth, nisab);
                s.calculations.addFirst(new Calculation(wealth, nisab, zakat, Instant.now()));
                while (s.calculations.size() > s.options.historyLimit()) {
                    s.calculations.removeLast();
                }
                s.cache.put(key, zakat);
                s.totalCalculated.merge(zakat.currency(), zakat, Money::plus);
                s.count++;
                s.cacheMisses++;
                yield replyTo(c, zakat, s);
            }
            case GetStatistics g -> replyTo(g, new Statistics(s.count, Map.copyOf(s.totalCalculated), s.cacheHits, s.cacheMisses,
                    hitRate(s), s.cache.size()), s);
            case GetHistory h -> replyTo(h, List.copyOf(s.calculations), s);
            default -> GenServer.super.handleCall(request, from, s);
        };
    }

    @Override
    public CastResult<State> handleCast(Object request, State s) throws Exception {
        if (request instanceof ClearCache) {
            s.cache.clear();
            return noreply(s);
        }
        return GenServer.super.handleCast(request, s);
    }

    /** The seed's {@code calculate_hit_rate}: percent, rounded to two decimals. */
    private static double hitRate(State s) {
        long total = s.cacheHits + s.cacheMisses;
        if (total == 0) {
            return 0.0;
        }
        return BigDecimal.valueOf(s.cacheHits * 100L).divide(BigDecimal.valueOf(total), 2, RoundingMode.HALF_UP).doubleValue();
    }
}
