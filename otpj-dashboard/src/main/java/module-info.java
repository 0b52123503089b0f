/**
 * otpj dashboard: a live web page of a node's supervision trees, processes, crashes and restarts,
 * served by the JDK's own HTTP server ({@code jdk.httpserver}). Only {@code io.otpj.dashboard} is
 * exported.
 */
module io.otpj.dashboard {
    requires transitive io.otpj.core;
    requires io.otpj.supervisor;
    requires jdk.httpserver;
    requires jdk.jfr;
    requires org.slf4j;

    exports io.otpj.dashboard;
}
