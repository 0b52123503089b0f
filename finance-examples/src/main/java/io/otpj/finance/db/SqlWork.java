package io.otpj.finance.db;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of JDBC work run inside one transaction on a database worker. */
@FunctionalInterface
interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
