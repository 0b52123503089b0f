/**
 * Supervisors: the Java form of Erlang's {@code supervisor} and Elixir's {@code Supervisor} and
 * {@code DynamicSupervisor}.
 *
 * <p>A supervisor is a process (a {@link io.otpj.core.GenServer} that traps exits) that starts
 * child processes from {@link io.otpj.supervisor.ChildSpec child specs}, links to them, and
 * restarts them when they exit, following a {@link io.otpj.supervisor.Strategy strategy} and a
 * restart intensity. When restarts come too fast it shuts its children down and exits with
 * {@code shutdown}, so that its own supervisor can apply its strategy in turn.
 *
 * <ul>
 *   <li>{@link io.otpj.supervisor.Supervisor}: children given at start (and added later with
 *       {@code startChild}), addressed by id.</li>
 *   <li>{@link io.otpj.supervisor.DynamicSupervisor}: one_for_one children started on demand,
 *       addressed by pid, such as one process per campaign.</li>
 * </ul>
 *
 * See {@code docs/supervisor.md} for the concepts and each Elixir construct next to its Java form.
 */
package io.otpj.supervisor;
