package io.otpj.core;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A process that holds a value: Elixir's {@code Agent}. Every function given to an agent runs in
 * the agent's own process, one at a time, in the order the requests arrive, so an
 * {@link #update} is atomic with respect to every other operation on the agent, without a lock.
 * {@snippet :
 * Agent<Integer> counter = Agent.start(() -> 0);          // {:ok, agent} = Agent.start_link(fn -> 0 end)
 * counter.update(n -> n + 1);                              // Agent.update(agent, &(&1 + 1))
 * int n = counter.get(v -> v);                             // Agent.get(agent, & &1)
 * int old = counter.getAndUpdate(v -> Agent.Update.of(v, v * 2));   // Agent.get_and_update
 * counter.stop();
 * }
 *
 * <p>Guarantees. Operations from one caller are applied in the order made. {@link #get},
 * {@link #update} and {@link #getAndUpdate} wait for the function to have run (at most the
 * timeout, by default the current node's {@linkplain NodeOptions#callTimeout() call timeout});
 * {@link #cast} returns at once. A function that throws crashes the agent, as in Elixir: the
 * caller gets {@link ServerExitedException} and the agent's links and monitors are told; its
 * supervisor, if any, starts it again from its initial function. On a dead agent every call
 * throws {@link NoProcException} (a {@link CallException}); a cast is dropped. Functions should
 * be quick and must not call the agent itself ({@link CallingSelfException}). The value is
 * handed out by reference: keep it immutable. Thread-safe: a handle may be shared by any number
 * of threads and processes.
 *
 * @param <S> the type of the value
 */
public final class Agent<S> {

    /**
     * What {@link #getAndUpdate} computes: the reply, and the agent's new value.
     *
     * @param <R> the reply type
     * @param <S> the value type
     * @param reply what the caller gets
     * @param state the agent's value afterwards
     */
    public record Update<R, S>(R reply, S state) {
        /**
         * A reply and the new value.
         *
         * @param <R> the reply type
         * @param <S> the value type
         * @param reply what the caller gets
         * @param state the new value
         * @return the update
         */
        public static <R, S> Update<R, S> of(R reply, S state) {
            return new Update<>(reply, state);
        }
    }

    private record Get<S>(Function<? super S, ?> fn) implements Call<Object> {}
    private record Apply<S>(Function<? super S, ? extends Update<?, ? extends S>> fn) implements Call<Object> {}
    private record CastUpdate<S>(UnaryOperator<S> fn) {}

    /** The agent's process: a GenServer whose state is the value. */
    private static final class Server<S> implements GenServer<Supplier<? extends S>, S> {
        @Override
        public InitResult<S> init(Supplier<? extends S> initial) {
            return ok(initial.get());
        }

        @Override
        @SuppressWarnings("unchecked")
        public CallResult<S> handleCall(Object request, From from, S s) throws Exception {
            return switch (request) {
                case Get<?> g -> reply(((Get<S>) g).fn().apply(s), s);
                case Apply<?> a -> {
                    Update<?, ? extends S> u = Objects.requireNonNull(((Apply<S>) a).fn().apply(s),
                            "the function given to getAndUpdate returned null");
                    yield reply(u.reply(), u.state());
                }
                default -> GenServer.super.handleCall(request, from, s);
            };
        }

        @Override
        @SuppressWarnings("unchecked")
        public CastResult<S> handleCast(Object request, S s) throws Exception {
            return switch (request) {
                case CastUpdate<?> c -> noreply(((CastUpdate<S>) c).fn().apply(s));
                default -> GenServer.super.handleCast(request, s);
            };
        }
    }

    private final Pid pid;

    private Agent(Pid pid) {
        this.pid = pid;
    }

    /**
     * Starts an agent, unlinked, from any thread; its value is what {@code initial} returns, run
     * in the agent's process.
     *
     * @param <S> the value type
     * @param initial computes the first value; if it throws, the start fails
     * @return the agent
     * @throws StartException if {@code initial} threw
     */
    public static <S> Agent<S> start(Supplier<? extends S> initial) {
        return new Agent<>(GenServer.start(new Server<S>(), Objects.requireNonNull(initial, "initial")).pid());
    }

    /**
     * Starts an agent under {@code name}.
     *
     * @param <S> the value type
     * @param initial computes the first value
     * @param name the name to register it under
     * @return the agent
     * @throws StartException if {@code initial} threw or the name is taken
     */
    public static <S> Agent<S> start(Supplier<? extends S> initial, Name name) {
        return new Agent<>(GenServer.start(new Server<S>(), Objects.requireNonNull(initial, "initial"), name).pid());
    }

    /**
     * Starts an agent linked to the calling process (a supervisor's start function).
     *
     * @param <S> the value type
     * @param initial computes the first value
     * @param name the name to register it under
     * @return the start's result, for a child spec
     * @throws IllegalStateException if the caller is not a process
     */
    public static <S> StartResult startLink(Supplier<? extends S> initial, Name name) {
        return GenServer.startLink(new Server<S>(), Objects.requireNonNull(initial, "initial"), name);
    }

    /**
     * A handle on the agent running under {@code ref} (a name given to {@link #startLink}, say),
     * resolved at each operation.
     *
     * @param <S> the value type the caller expects (unchecked)
     * @param ref the agent's pid or name
     * @return a handle whose operations go to whatever process holds {@code ref} then
     */
    public static <S> Ref<S> of(ServerRef ref) {
        return new Ref<>(Objects.requireNonNull(ref, "ref"));
    }

    /**
     * The agent's process.
     *
     * @return its pid
     */
    public Pid pid() {
        return pid;
    }

    /**
     * Runs {@code fn} on the value in the agent and returns its result ({@code Agent.get}).
     *
     * @param <R> the result type
     * @param fn reads the value; runs in the agent
     * @return what {@code fn} returned
     */
    public <R> R get(Function<? super S, ? extends R> fn) {
        return of0().get(fn, Node.current().options().callTimeout());
    }

    /**
     * Replaces the value with {@code fn(value)} and waits until it is done ({@code Agent.update}).
     *
     * @param fn computes the new value; runs in the agent
     */
    public void update(UnaryOperator<S> fn) {
        of0().update(fn, Node.current().options().callTimeout());
    }

    /**
     * Computes a reply and a new value from the value, atomically ({@code Agent.get_and_update}).
     *
     * @param <R> the reply type
     * @param fn computes both; runs in the agent
     * @return the reply
     */
    public <R> R getAndUpdate(Function<? super S, Update<R, S>> fn) {
        return of0().getAndUpdate(fn, Node.current().options().callTimeout());
    }

    /**
     * Replaces the value with {@code fn(value)} without waiting ({@code Agent.cast}).
     *
     * @param fn computes the new value; runs in the agent
     */
    public void cast(UnaryOperator<S> fn) {
        of0().cast(fn);
    }

    /** Stops the agent with reason {@code normal} and waits until it has exited ({@code Agent.stop}). */
    public void stop() {
        GenServer.stop(pid);
    }

    private Ref<S> of0() {
        return new Ref<>(pid);
    }

    @Override
    public String toString() {
        return "Agent[" + pid + "]";
    }

    /**
     * Operations on an agent by pid or name, with explicit timeouts. Thread-safe.
     *
     * @param <S> the value type
     */
    public static final class Ref<S> {
        private final ServerRef ref;

        Ref(ServerRef ref) {
            this.ref = ref;
        }

        /**
         * {@link Agent#get}, waiting at most {@code timeout}.
         *
         * @param <R> the result type
         * @param fn reads the value
         * @param timeout how long to wait
         * @return what {@code fn} returned
         */
        @SuppressWarnings("unchecked")
        public <R> R get(Function<? super S, ? extends R> fn, Duration timeout) {
            return (R) GenServer.call(ref, new Get<S>(Objects.requireNonNull(fn, "fn")), timeout);
        }

        /**
         * {@link Agent#update}, waiting at most {@code timeout}.
         *
         * @param fn computes the new value
         * @param timeout how long to wait
         */
        public void update(UnaryOperator<S> fn, Duration timeout) {
            Objects.requireNonNull(fn, "fn");
            GenServer.call(ref, new Apply<S>(s -> Update.of(null, fn.apply(s))), timeout);
        }

        /**
         * {@link Agent#getAndUpdate}, waiting at most {@code timeout}.
         *
         * @param <R> the reply type
         * @param fn computes the reply and the new value
         * @param timeout how long to wait
         * @return the reply
         */
        @SuppressWarnings("unchecked")
        public <R> R getAndUpdate(Function<? super S, Update<R, S>> fn, Duration timeout) {
            return (R) GenServer.call(ref, new Apply<S>(Objects.requireNonNull(fn, "fn")), timeout);
        }

        /**
         * {@link Agent#cast}.
         *
         * @param fn computes the new value
         */
        public void cast(UnaryOperator<S> fn) {
            GenServer.cast(ref, new CastUpdate<>(Objects.requireNonNull(fn, "fn")));
        }
    }
}
