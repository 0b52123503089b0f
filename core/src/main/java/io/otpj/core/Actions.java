package io.otpj.core;

/** Shared instances of the actions without fields. */
final class Actions {
    static final Action NONE = new Action.None();
    static final Action HIBERNATE = new Action.Hibernate();

    private Actions() {}
}
