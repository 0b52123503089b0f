/**
 * otpj test kit: a JUnit Jupiter extension that gives each test its own {@link io.otpj.core.Node}
 * and fails it if it leaves processes behind, a {@link io.otpj.test.TestProbe} process, and the
 * helpers Elixir's ExUnit users rely on. Only {@code io.otpj.test} is exported.
 */
module io.otpj.test {
    requires transitive io.otpj.core;
    requires transitive org.junit.jupiter.api;

    exports io.otpj.test;
}
