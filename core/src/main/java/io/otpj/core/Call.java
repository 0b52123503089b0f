package io.otpj.core;

/**
 * A request that says what its reply is: {@code record Balance() implements Call<Long> {}}.
 * {@link GenServer#call(ServerRef, Call)} then returns a {@code Long}, checked by the compiler
 * at the call site ({@code String s = GenServer.call(account, new Balance())} does not compile),
 * and the server answers it with {@link GenServer#replyTo(Call, Object, Object)}, which checks
 * the reply's type in the server the same way.
 *
 * <p>Make the requests of a server a sealed hierarchy and its {@code handleCall} can switch over
 * them exhaustively, without a {@code default} branch:
 * {@snippet :
 * sealed interface Request permits Balance, Deposit {}
 * record Balance() implements Request, Call<Long> {}
 * record Deposit(long amount) implements Request, Call<Long> {}
 *
 * public CallResult<Long> handleCall(Object req, From from, Long balance) throws Exception {
 *     if (!(req instanceof Request r)) {
 *         return GenServer.super.handleCall(req, from, balance); // not ours: crash, naming it
 *     }
 *     return switch (r) {                                       // exhaustive: no default
 *         case Balance b -> replyTo(b, balance, balance);
 *         case Deposit(long amount) -> replyTo(new Deposit(amount), balance + amount, balance + amount);
 *     };
 * }
 * }
 *
 * <p>The type is checked at compile time only, as Java generics are: a server that replies with
 * {@code reply(Object, state)} instead of {@code replyTo} can still send a value of another type,
 * which then fails with {@link ClassCastException} where the caller uses it. Requests are
 * messages: make them immutable records.
 *
 * @param <R> the type of the reply
 */
public interface Call<R> {
}
