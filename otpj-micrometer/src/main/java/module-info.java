/**
 * otpj micrometer: a Micrometer {@code MeterBinder} for an otpj node, {@link
 * io.otpj.micrometer.OtpjMetrics}, fed by the node's process listing and by otpj's JDK Flight
 * Recorder events. Only {@code io.otpj.micrometer} is exported.
 */
// micrometer-core 1.17 has no module descriptor, only the Automatic-Module-Name micrometer.core
// (stable, declared in its manifest); its types are in this module's API, so it is required
// transitively.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.otpj.micrometer {
    requires transitive io.otpj.core;
    requires transitive micrometer.core;
    requires jdk.jfr;
    requires org.slf4j;

    exports io.otpj.micrometer;
}
