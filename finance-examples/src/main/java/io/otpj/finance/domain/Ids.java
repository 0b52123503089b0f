package io.otpj.finance.domain;

import java.util.Objects;

/** Validation of the string identifiers of campaigns, donors, donations and transactions. */
public final class Ids {

    /** The longest identifier the database stores. */
    public static final int MAX_LENGTH = 64;

    private Ids() {}

    /**
     * @return {@code value}, if it is 1 to 64 characters from {@code [A-Za-z0-9._:-]}
     * @throws NullPointerException if it is null
     * @throws IllegalArgumentException otherwise, naming {@code what} and the bad value
     */
    public static String require(String value, String what) {
        Objects.requireNonNull(value, () -> what + " must not be null");
        if (value.isEmpty() || value.length() > MAX_LENGTH || !allowed(value)) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a valid id: 1 to " + MAX_LENGTH
                    + " characters from A-Z a-z 0-9 . _ : -");
        }
        return value;
    }

    /** {@code [A-Za-z0-9._:-]+} by hand: ids are checked on every donation, and a regex cost 3% of the demo's CPU. */
    private static boolean allowed(String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '.' || ch == '_' || ch == ':' || ch == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
