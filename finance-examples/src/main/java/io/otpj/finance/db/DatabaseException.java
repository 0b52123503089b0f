package io.otpj.finance.db;

import java.sql.SQLException;

/**
 * The database failed (connection lost, constraint violated unexpectedly, no answer in time).
 * The unit of work it interrupted was rolled back, unless the message says its outcome is
 * unknown (the wait for it was abandoned). Servers let this exception crash them: their
 * restart reloads their state from the database.
 */
public final class DatabaseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    DatabaseException(String message, Throwable cause) {
        super(message, cause);
    }

    static DatabaseException of(String operation, SQLException e) {
        return new DatabaseException("database error in " + operation + ": SQLState " + e.getSQLState() + ": "
                + e.getMessage(), e);
    }
}
