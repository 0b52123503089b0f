package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Typed requests: the reply type comes from the request, checked by the compiler at both ends. */
class TypedCallTest {

    sealed interface Request permits Balance, Deposit {}

    record Balance() implements Request, Call<Long> {}

    record Deposit(long amount) implements Request, Call<Long> {}

    /** An account whose requests are a sealed hierarchy: the switch is exhaustive, no default. */
    static final class Account implements GenServer<Long, Long> {
        @Override
        public InitResult<Long> init(Long start) {
            return ok(start);
        }

        @Override
        public CallResult<Long> handleCall(Object req, From from, Long balance) throws Exception {
            if (!(req instanceof Request r)) {
                return GenServer.super.handleCall(req, from, balance);
            }
            return switch (r) {
                case Balance b -> replyTo(b, balance, balance);
                case Deposit d -> replyTo(d, balance + d.amount(), balance + d.amount());
            };
        }
    }

    @Test
    void aTypedCallReturnsTheRequestsReplyType() {
        Pid account = GenServer.start(new Account(), 10L).pid();
        long after = GenServer.call(account, new Deposit(5));
        Long balance = GenServer.call(account, new Balance(), Proc.INFINITY);
        assertEquals(15L, after);
        assertEquals(15L, balance);
        RequestId<Long> pending = GenServer.sendRequest(account, new Balance());
        assertEquals(15L, (long) pending.await(Probe.WAIT));
        Object untyped = GenServer.call(account, (Object) new Balance()); // the Object API still works
        assertEquals(15L, untyped);
        GenServer.stop(account);
    }

    /** Compiles a snippet against otpj with the JDK's javac, in a separate process: its errors, or "" if it compiles. */
    private static String compile(String body) throws Exception {
        String src = "import io.otpj.core.*;\n"
                + "class Snippet {\n"
                + "  record Balance() implements Call<Long> {}\n"
                + "  void run(Pid account) {\n" + body + "\n  }\n"
                + "  static final class S implements GenServer<Long, Long> {\n"
                + "    public InitResult<Long> init(Long a) { return ok(a); }\n"
                + "    public CallResult<Long> handleCall(Object req, From from, Long s) {\n"
                + "      return req instanceof Balance b ? replyTo(b, \"wrong\", s) : reply(null, s);\n"
                + "    }\n"
                + "  }\n"
                + "}\n";
        Path dir = Files.createTempDirectory("otpj-typed");
        Path file = dir.resolve("Snippet.java");
        Files.writeString(file, src);
        Path javac = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("javac");
        Process p = new ProcessBuilder(javac.toString(), "-proc:none", "-d", dir.toString(), "-cp",
                System.getProperty("java.class.path"), file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "javac did not finish");
        return p.exitValue() == 0 ? "" : out;
    }

    @Test
    void aWrongReplyTypeDoesNotCompileAtTheCallerNorInTheServer() throws Exception {
        // Line 5 is the caller, line 10 the server's replyTo(b, "wrong", s).
        String errors = compile("String s = GenServer.call(account, new Balance());");
        assertTrue(errors.contains("Snippet.java:5:"), "the caller's String from a Call<Long>: " + errors);
        assertTrue(errors.contains("Snippet.java:10:"), "the server's String reply to a Call<Long>: " + errors);
        String serverOnly = compile("long n = GenServer.call(account, new Balance());");
        assertTrue(serverOnly.contains("Snippet.java:10:") && !serverOnly.contains("Snippet.java:5:"), serverOnly);
    }
}
