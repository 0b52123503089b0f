/**
 * otpj test kit: a JUnit Jupiter extension that gives each test its own {@link io.otpj.core.Node}
 * and fails it if it leaves processes behind, a {@link io.otpj.test.TestProbe} process, and the
 * helpers Elixir's ExUnit users rely on; and in {@code io.otpj.test.model}, model-based
 * properties of servers on jqwik (which its users add themselves).
 */
module io.otpj.test {
    requires transitive io.otpj.core;
    requires transitive org.junit.jupiter.api;
    requires static transitive net.jqwik.api;

    exports io.otpj.test;
    exports io.otpj.test.model;
}
