/**
 * otpj supervisor: supervision trees on top of {@code io.otpj.core}: {@code Supervisor} (static
 * children, one_for_one / one_for_all / rest_for_one) and {@code DynamicSupervisor} (children
 * started at run time). Only {@code io.otpj.supervisor} is exported.
 */
module io.otpj.supervisor {
    requires transitive io.otpj.core;
    requires org.slf4j;
    requires jdk.jfr;

    exports io.otpj.supervisor;
}
