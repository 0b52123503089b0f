package io.otpj.finance.db;

import io.otpj.finance.domain.Ids;
import io.otpj.finance.domain.PaymentTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The payment transactions table. Writes are one transaction each, committed before the method
 * returns, and run in the order they were asked for. Thread-safe.
 */
public final class TransactionRepository {

    private static final Object LANE = new Database.Lane("transactions", "all");
    private static final String COLUMNS = "id, reference, amount, currency, status, gateway_transaction_id, created_at";

    private final Database db;

    TransactionRepository(Database db) {
        this.db = db;
    }

    /**
     * Stores the transactions not stored yet, all in one transaction. Idempotent: a transaction
     * whose id is already stored is skipped, so a flush interrupted after its commit can be
     * repeated without duplicates.
     *
     * @return how many were newly stored
     */
    public int insertAll(List<PaymentTransaction> transactions) {
        List<PaymentTransaction> all = List.copyOf(Objects.requireNonNull(transactions, "transactions must not be null"));
        if (all.isEmpty()) {
            return 0;
        }
        return db.transaction(LANE, "store " + all.size() + " transactions", c -> {
            int inserted = 0;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO transactions (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (PaymentTransaction t : all) {
                    if (select(c, t.id()).isPresent()) {
                        continue;
                    }
                    ps.setString(1, t.id());
                    ps.setString(2, t.reference());
                    Sql.setMoney(ps, 3, t.amount());
                    ps.setString(5, t.status().name());
                    ps.setString(6, t.gatewayTransactionId().orElse(null));
                    Sql.setInstant(ps, 7, t.createdAt());
                    ps.executeUpdate();
                    inserted++;
                }
            }
            return inserted;
        });
    }

    /** @return the stored transaction with this id */
    public Optional<PaymentTransaction> find(String id) {
        Ids.require(id, "transaction id");
        return db.transaction(LANE, "find transaction " + id, c -> select(c, id));
    }

    /** @return how many transactions are stored */
    public long count() {
        return db.transaction(LANE, "count transactions", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM transactions");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** @return the transactions for {@code reference}, oldest first */
    public List<PaymentTransaction> findByReference(String reference) {
        Ids.require(reference, "transaction reference");
        return db.transaction(LANE, "find transactions of " + reference,
                c -> query(c, "SELECT " + COLUMNS + " FROM transactions WHERE reference = ? ORDER BY created_at, id", reference));
    }

    private static Optional<PaymentTransaction> select(Connection c, String id) throws SQLException {
        List<PaymentTransaction> found = query(c, "SELECT " + COLUMNS + " FROM transactions WHERE id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    private static List<PaymentTransaction> query(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            List<PaymentTransaction> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PaymentTransaction(rs.getString("id"), rs.getString("reference"),
                            Sql.money(rs, "amount", "currency"), PaymentTransaction.Status.valueOf(rs.getString("status")),
                            Optional.ofNullable(rs.getString("gateway_transaction_id")), Sql.instant(rs, "created_at")));
                }
            }
            return out;
        }
    }
}
