/**
 * otpj core: processes on virtual threads, mailboxes, links, monitors, timers, GenServer and sys.
 * Only {@code io.otpj.core} is exported; everything else in it is package-private.
 */
module io.otpj.core {
    requires org.jctools.core;
    requires org.slf4j;
    requires jdk.jfr;

    exports io.otpj.core;
}
