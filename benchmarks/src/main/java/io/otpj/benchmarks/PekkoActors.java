package io.otpj.benchmarks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The Pekko typed peers, written idiomatically: each actor is a mutable {@link AbstractBehavior}
 * that returns {@code this} (no behaviour allocated per message), messages are records and enum
 * singletons, replies go to a {@code replyTo} reference carried in the request. The actor system
 * runs with Pekko's default dispatcher settings; only logging is turned down.
 */
final class PekkoActors {

    private PekkoActors() {}

    // ------------------------------------------------------------------ protocols

    sealed interface SinkMsg {}

    /** One shared instance, as on the otpj side. */
    enum Inc implements SinkMsg { INC }

    record Flush(CountDownLatch done) implements SinkMsg {}

    record Ping(ActorRef<Pong> replyTo) {}

    sealed interface RequesterMsg {}

    enum Pong implements RequesterMsg { PONG }

    record Run(int calls, CountDownLatch done) implements RequesterMsg {}

    record RunPipelined(int calls, int window, CountDownLatch done) implements RequesterMsg {}

    record Go(CountDownLatch done) {}

    sealed interface ParentMsg {}

    record SpawnChildren(int n, CountDownLatch started) implements ParentMsg {}

    enum StopParent implements ParentMsg { STOP }

    // ------------------------------------------------------------------ system

    private static final Config QUIET = ConfigFactory.parseString("""
            pekko.loglevel = "WARNING"
            pekko.stdout-loglevel = "WARNING"
            pekko.log-dead-letters = off
            pekko.log-dead-letters-during-shutdown = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """);

    /** An actor system whose guardian spawns top-level actors on request ({@link SpawnProtocol}). */
    static ActorSystem<SpawnProtocol.Command> system(String name) {
        return ActorSystem.create(SpawnProtocol.create(), name, QUIET.withFallback(ConfigFactory.load()));
    }

    /** Spawns a top-level actor through the guardian and waits for its reference. */
    static <T> ActorRef<T> spawn(ActorSystem<SpawnProtocol.Command> system, Behavior<T> behavior, String name) {
        return AskPattern.<SpawnProtocol.Command, ActorRef<T>>ask(system,
                        replyTo -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(), replyTo),
                        Duration.ofSeconds(30), system.scheduler())
                .toCompletableFuture().join();
    }

    static void terminate(ActorSystem<?> system) throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }


    // ------------------------------------------------------------------ actors

    /** Counts {@link Inc}; counts a {@link Flush}'s latch down. */
    static final class Sink extends AbstractBehavior<SinkMsg> {
        private long count;

        static Behavior<SinkMsg> create() {
            return Behaviors.setup(Sink::new);
        }

        private Sink(ActorContext<SinkMsg> context) {
            super(context);
        }

        @Override
        public Receive<SinkMsg> createReceive() {
            return newReceiveBuilder()
                    .onMessageEquals(Inc.INC, this::onInc)
                    .onMessage(Flush.class, this::onFlush)
                    .build();
        }

        private Behavior<SinkMsg> onInc() {
            count++;
            return this;
        }

        private Behavior<SinkMsg> onFlush(Flush f) {
            f.done().countDown();
            return this;
        }
    }

    /** Answers every {@link Ping} with {@link Pong#PONG}. */
    static final class Echo extends AbstractBehavior<Ping> {
        static Behavior<Ping> create() {
            return Behaviors.setup(Echo::new);
        }

        private Echo(ActorContext<Ping> context) {
            super(context);
        }

        @Override
        public Receive<Ping> createReceive() {
            return newReceiveBuilder().onMessage(Ping.class, this::onPing).build();
        }

        private Behavior<Ping> onPing(Ping p) {
            p.replyTo().tell(Pong.PONG);
            return this;
        }
    }

    /**
     * Makes {@code calls} sequential request/reply exchanges with an echo actor, the next request
     * sent when the previous reply arrives. The request message is built once (it only carries our
     * own reference), giving Pekko its best case.
     */
    static final class Requester extends AbstractBehavior<RequesterMsg> {
        private final ActorRef<Ping> echo;
        private final Ping ping;
        private int remaining;
        private CountDownLatch done;

        static Behavior<RequesterMsg> create(ActorRef<Ping> echo) {
            return Behaviors.setup(ctx -> new Requester(ctx, echo));
        }

        private Requester(ActorContext<RequesterMsg> context, ActorRef<Ping> echo) {
            super(context);
            this.echo = echo;
            this.ping = new Ping(context.getSelf().narrow());
        }

        @Override
        public Receive<RequesterMsg> createReceive() {
            return newReceiveBuilder()
                    .onMessageEquals(Pong.PONG, this::onPong)
                    .onMessage(Run.class, this::onRun)
                    .build();
        }

        private Behavior<RequesterMsg> onRun(Run r) {
            remaining = r.calls();
            done = r.done();
            echo.tell(ping);
            return this;
        }

        private Behavior<RequesterMsg> onPong() {
            if (--remaining > 0) {
                echo.tell(ping);
            } else {
                done.countDown();
            }
            return this;
        }
    }

    /**
     * Makes {@code calls} request/reply exchanges with an echo actor, {@code window} in flight: a
     * reply in, the next request out (the peer of otpj's {@code RequestSet} sliding window).
     */
    static final class PipelinedRequester extends AbstractBehavior<RequesterMsg> {
        private final ActorRef<Ping> echo;
        private final Ping ping;
        private int toSend;
        private int toReceive;
        private CountDownLatch done;

        static Behavior<RequesterMsg> create(ActorRef<Ping> echo) {
            return Behaviors.setup(ctx -> new PipelinedRequester(ctx, echo));
        }

        private PipelinedRequester(ActorContext<RequesterMsg> context, ActorRef<Ping> echo) {
            super(context);
            this.echo = echo;
            this.ping = new Ping(context.getSelf().narrow());
        }

        @Override
        public Receive<RequesterMsg> createReceive() {
            return newReceiveBuilder()
                    .onMessageEquals(Pong.PONG, this::onPong)
                    .onMessage(RunPipelined.class, this::onRun)
                    .build();
        }

        private Behavior<RequesterMsg> onRun(RunPipelined r) {
            toSend = r.calls();
            toReceive = r.calls();
            done = r.done();
            for (int i = 0; i < r.window() && toSend > 0; i++, toSend--) {
                echo.tell(ping);
            }
            return this;
        }

        private Behavior<RequesterMsg> onPong() {
            if (toSend > 0) {
                toSend--;
                echo.tell(ping);
            }
            if (--toReceive == 0) {
                done.countDown();
            }
            return this;
        }
    }

    /** For each {@link Go}: tells its sink {@code casts} times, then a {@link Flush}. */
    static final class Producer extends AbstractBehavior<Go> {
        private final ActorRef<SinkMsg> sink;
        private final int casts;

        static Behavior<Go> create(ActorRef<SinkMsg> sink, int casts) {
            return Behaviors.setup(ctx -> new Producer(ctx, sink, casts));
        }

        private Producer(ActorContext<Go> context, ActorRef<SinkMsg> sink, int casts) {
            super(context);
            this.sink = sink;
            this.casts = casts;
        }

        @Override
        public Receive<Go> createReceive() {
            return newReceiveBuilder().onMessage(Go.class, this::onGo).build();
        }

        private Behavior<Go> onGo(Go g) {
            for (int i = 0; i < casts; i++) {
                sink.tell(Inc.INC);
            }
            sink.tell(new Flush(g.done()));
            return this;
        }
    }

    /** An actor that waits and holds nothing: Pekko's per-actor cost. Counts a latch down once set up. */
    static final class Idle extends AbstractBehavior<Object> {
        static Behavior<Object> create(CountDownLatch started) {
            return Behaviors.setup(ctx -> {
                started.countDown();
                return new Idle(ctx);
            });
        }

        private Idle(ActorContext<Object> context) {
            super(context);
        }

        @Override
        public Receive<Object> createReceive() {
            return newReceiveBuilder().build();
        }
    }

    /**
     * Spawns idle children on request; stopping the parent stops them all, and {@code stopped}
     * completes in the parent's {@link PostStop}, which Pekko signals after every child stopped.
     */
    static final class Parent extends AbstractBehavior<ParentMsg> {
        private final CompletableFuture<Void> stopped;

        static Behavior<ParentMsg> create(CompletableFuture<Void> stopped) {
            return Behaviors.setup(ctx -> new Parent(ctx, stopped));
        }

        private Parent(ActorContext<ParentMsg> context, CompletableFuture<Void> stopped) {
            super(context);
            this.stopped = stopped;
        }

        @Override
        public Receive<ParentMsg> createReceive() {
            return newReceiveBuilder()
                    .onMessage(SpawnChildren.class, this::onSpawn)
                    .onMessageEquals(StopParent.STOP, Behaviors::stopped)
                    .onSignal(PostStop.class, s -> {
                        stopped.complete(null);
                        return this;
                    })
                    .build();
        }

        private Behavior<ParentMsg> onSpawn(SpawnChildren s) {
            Behavior<Object> child = Idle.create(s.started());
            for (int i = 0; i < s.n(); i++) {
                getContext().spawnAnonymous(child);
            }
            return this;
        }
    }
}
