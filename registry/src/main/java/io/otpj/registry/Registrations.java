package io.otpj.registry;

/** Shared instances of the outcomes without fields. */
final class Registrations {
    static final Registration REGISTERED = new Registration.Registered();

    private Registrations() {}
}
