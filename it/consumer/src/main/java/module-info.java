/** A user's application: needs only what otpj exports. */
module com.example.consumer {
    requires io.otpj.core;
    requires io.otpj.supervisor;
    requires io.otpj.registry;
}
