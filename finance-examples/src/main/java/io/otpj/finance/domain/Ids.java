package io.otpj.finance.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/** Validation of the string identifiers of campaigns, donors, donations and transactions. */
public final class Ids {

    /** The longest identifier the database stores. */
    public static final int MAX_LENGTH = 64;

    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._:-]+");

    private Ids() {}

    /**
     * @return {@code value}, if it is 1 to 64 characters from {@code [A-Za-z0-9._:-]}
     * @throws NullPointerException if it is null
     * @throws IllegalArgumentException otherwise, naming {@code what} and the bad value
     */
    public static String require(String value, String what) {
        Objects.requireNonNull(value, () -> what + " must not be null");
        if (value.isEmpty() || value.length() > MAX_LENGTH || !ALLOWED.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a valid id: 1 to " + MAX_LENGTH
                    + " characters from A-Z a-z 0-9 . _ : -");
        }
        return value;
    }
}
