package io.otpj.finance.db;

import io.otpj.finance.money.Money;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

/** JDBC mapping shared by the repositories. */
final class Sql {

    /** NUMERIC(19, 4) keeps 15 integer digits. */
    private static final BigDecimal STORABLE_LIMIT = BigDecimal.TEN.pow(15);

    private Sql() {}

    /** @return {@code n} comma-separated {@code ?} placeholders, for an {@code IN (...)} list */
    static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    /** Reads one row of a result set. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * The rows among {@code ids}, one statement per {@code perStatement} of them: {@code sql}
     * makes the statement for an {@code IN} list of {@code n} placeholders (see
     * {@link #placeholders}), the ids are bound in order, and each row is kept under its key.
     *
     * @return by key, the rows that exist
     */
    static <T> Map<String, T> selectByIds(Connection c, List<String> ids, int perStatement, IntFunction<String> sql,
            RowReader<T> read, Function<T, String> key) throws SQLException {
        Map<String, T> out = new HashMap<>();
        for (int from = 0; from < ids.size(); from += perStatement) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + perStatement));
            try (PreparedStatement ps = c.prepareStatement(sql.apply(chunk.size()))) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        T row = read.read(rs);
                        out.put(key.apply(row), row);
                    }
                }
            }
        }
        return out;
    }

    /** Sets {@code money} as two parameters: the amount at {@code index}, the currency code after it. */
    static void setMoney(PreparedStatement ps, int index, Money money) throws SQLException {
        if (money.amount().abs().compareTo(STORABLE_LIMIT) >= 0) {
            throw new IllegalArgumentException("amount " + money + " is too large to store (at most 15 integer digits)");
        }
        ps.setBigDecimal(index, money.amount());
        ps.setString(index + 1, money.currency().getCurrencyCode());
    }

    static Money money(ResultSet rs, String amountColumn, String currencyColumn) throws SQLException {
        // Stored values have at most the currency's minor digits (trailing zeros up to scale 4),
        // so the exact constructor never rejects them.
        return Money.of(rs.getBigDecimal(amountColumn), Money.currency(rs.getString(currencyColumn).strip()));
    }

    static void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        ps.setObject(index, instant == null ? null : instant.atOffset(ZoneOffset.UTC));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** @return whether {@code e} is a unique-key violation (SQLState 23505 on PostgreSQL and H2) */
    static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    /** @return whether {@code e} is a missing foreign-key parent (PostgreSQL 23503, H2 23506) */
    static boolean isForeignKeyViolation(SQLException e) {
        return "23503".equals(e.getSQLState()) || "23506".equals(e.getSQLState());
    }
}
