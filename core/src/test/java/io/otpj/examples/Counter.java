package io.otpj.examples;

import io.otpj.core.*;

/**
 * The README's example, compiled and run by {@link CounterExampleTest} so it stays true; the
 * {@code GenServer} Javadoc shows its regions with {@code {@snippet}}, so that example cannot rot.
 */
// @start region=server
public final class Counter implements GenServer<Integer, Integer> {
    public record Inc(int by) {}
    public record Get() implements Call<Integer> {}   // a call whose reply is an Integer

    @Override public InitResult<Integer> init(Integer start) { return ok(start); }

    @Override public CallResult<Integer> handleCall(Object req, From from, Integer n) throws Exception {
        return switch (req) {
            case Get g -> replyTo(g, n, n);                     // the compiler checks: an Integer
            default -> GenServer.super.handleCall(req, from, n);   // unknown call: crash, naming it
        };
    }

    @Override public CastResult<Integer> handleCast(Object req, Integer n) throws Exception {
        return switch (req) {
            case Inc(int by) -> noreply(n + by);
            default -> GenServer.super.handleCast(req, n);
        };
    }
    // @end region=server

    public static void main(String[] args) {
        // @start region=use
        Pid counter = GenServer.start(new Counter(), 0).pid();  // {:ok, pid} = GenServer.start(Counter, 0)
        GenServer.cast(counter, new Inc(5));                    // GenServer.cast(pid, {:inc, 5})
        int n = GenServer.call(counter, new Get());             // GenServer.call(pid, :get)
        System.out.println("counter = " + n);                   // counter = 5
        GenServer.stop(counter);                                // GenServer.stop(pid)
        // @end region=use
    }
}
