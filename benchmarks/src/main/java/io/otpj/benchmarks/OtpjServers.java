package io.otpj.benchmarks;

import io.otpj.core.Action;
import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Pid;
import io.otpj.core.StartOptions;
import io.otpj.core.Proc;
import io.otpj.core.RequestSet;
import io.otpj.core.ServerRef;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The otpj servers the benchmarks talk to, written as an application would write them.
 *
 * <p>The counting server keeps a small mutable state object and returns the same instance, as the
 * Pekko actors keep a mutable field: both sides then measure their messaging machinery, not boxing
 * of a counter. Everything otpj allocates per message by design (the cast envelope, the
 * {@code noreply} result, the {@code From} of a call) stays in the measurement.
 */
final class OtpjServers {

    private OtpjServers() {}

    /** The message every cast benchmark sends: one shared instance, as on the Pekko side. */
    enum Inc { INC }

    /** Last message of a batch: the server counts the latch down once everything before it was handled. */
    record Flush(CountDownLatch done) {}

    /** A call request the echo server answers with itself. */
    enum Ping { PING }

    /** Asks a {@link Caller} to make {@code calls} sequential calls to {@code server}. */
    record RunCalls(ServerRef server, int calls) {}

    /** Asks a {@link Caller} to make {@code calls} calls to {@code server}, {@code window} of them in flight at once. */
    record RunPipelined(ServerRef server, int calls, int window) {}

    /** Asks an idle server to stop, counting {@code done} down in {@code terminate}. */
    enum Stop { STOP }

    /** Mutable state of the counting server. */
    static final class Count {
        long n;
    }

    /** Counts {@link Inc} casts; counts a {@link Flush}'s latch down. Answers calls with the count. */
    static final class Sink implements GenServer<Void, Count> {
        @Override
        public InitResult<Count> init(Void arg) {
            return ok(new Count());
        }

        @Override
        public CastResult<Count> handleCast(Object request, Count c) {
            switch (request) {
                case Inc i -> c.n++;
                case Flush(CountDownLatch done) -> done.countDown();
                default -> throw new IllegalArgumentException("unexpected cast " + request);
            }
            return noreply(c);
        }

        @Override
        public CallResult<Count> handleCall(Object request, From from, Count c) {
            return reply(c.n, c);
        }
    }

    /** Answers every call with the request itself. */
    static final class Echo implements GenServer<Void, Boolean> {
        @Override
        public InitResult<Boolean> init(Void arg) {
            return ok(Boolean.TRUE);
        }

        @Override
        public CallResult<Boolean> handleCall(Object request, From from, Boolean s) {
            return reply(request, s);
        }
    }

    /** A server that makes calls: the "process" side of process-to-process calls. */
    static final class Caller implements GenServer<Void, Boolean> {
        @Override
        public InitResult<Boolean> init(Void arg) {
            return ok(Boolean.TRUE);
        }

        @Override
        public CallResult<Boolean> handleCall(Object request, From from, Boolean s) {
            if (request instanceof RunPipelined(ServerRef server, int calls, int window)) {
                return reply(pipelined(server, calls, window), s);
            }
            if (!(request instanceof RunCalls(ServerRef server, int calls))) {
                throw new IllegalArgumentException("unexpected call " + request);
            }
            Object last = null;
            for (int i = 0; i < calls; i++) {
                last = GenServer.call(server, Ping.PING);
            }
            return reply(last, s);
        }
    }

    /** A sliding window of {@code window} requests through a {@link RequestSet}: a reply in, the next request out. */
    static Object pipelined(ServerRef server, int calls, int window) {
        try (RequestSet<Boolean> set = RequestSet.create()) {
            int sent = 0;
            for (; sent < window && sent < calls; sent++) {
                set.send(server, Ping.PING, Boolean.TRUE);
            }
            Object last = null;
            for (int got = 0; got < calls; got++) {
                if (!(set.awaitNext(Proc.INFINITY).orElseThrow() instanceof RequestSet.Reply<Boolean> r)) {
                    throw new IllegalStateException("the echo server failed");
                }
                last = r.value();
                if (sent < calls) {
                    set.send(server, Ping.PING, Boolean.TRUE);
                    sent++;
                }
            }
            return last;
        }
    }

    /**
     * An idle server whose state is a shared {@link Batch}: it allocates nothing of its own, so the
     * heap it costs is the runtime's per-process cost.
     */
    static final class Idle implements GenServer<Batch, Batch> {
        static final Idle INSTANCE = new Idle(false);
        /** One whose init returns hibernate: it waits for its first message with no thread. */
        static final Idle HIBERNATING = new Idle(true);

        private final boolean hibernate;

        private Idle(boolean hibernate) {
            this.hibernate = hibernate;
        }

        @Override
        public InitResult<Batch> init(Batch batch) {
            return hibernate ? ok(batch, Action.hibernate()) : ok(batch);
        }

        @Override
        public CastResult<Batch> handleCast(Object request, Batch b) {
            return stop(ExitReason.normal(), b);
        }

        @Override
        public void terminate(ExitReason reason, Batch b) {
            b.stopped.countDown();
        }
    }

    /** Servers started together and stopped together. */
    static final class Batch {
        final Pid[] pids;
        final CountDownLatch stopped;
        final Idle server;
        final StartOptions options;

        Batch(int n) {
            this(n, false);
        }

        /**
         * {@code n} idle servers, or if {@code hibernated} hibernated ones: their init returns
         * hibernate (no thread while idle), and they are started with {@code hibernateAfter}, as a
         * server idle most of its life is, which gives them the compact mailbox.
         */
        Batch(int n, boolean hibernated) {
            pids = new Pid[n];
            stopped = new CountDownLatch(n);
            server = hibernated ? Idle.HIBERNATING : Idle.INSTANCE;
            options = hibernated ? StartOptions.defaults().withHibernateAfter(java.time.Duration.ofMinutes(10))
                    : StartOptions.defaults();
        }

        /** Starts the servers one after the other from the calling thread (each start waits for init). */
        void startAll() {
            for (int i = 0; i < pids.length; i++) {
                pids[i] = GenServer.start(server, this, options).pid();
            }
        }

        /**
         * Starts the servers from {@code starters} processes at once, each starting its share one
         * after the other, and waits until all are started.
         */
        void startAllConcurrently(int starters) throws InterruptedException {
            CountDownLatch started = new CountDownLatch(starters);
            int share = (pids.length + starters - 1) / starters;
            for (int s = 0; s < starters; s++) {
                int from = s * share, to = Math.min(pids.length, from + share);
                Proc.spawn(() -> {
                    for (int i = from; i < to; i++) {
                        pids[i] = GenServer.start(server, this, options).pid();
                    }
                    started.countDown();
                });
            }
            if (!started.await(10, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new IllegalStateException("servers did not start within 10 minutes");
            }
        }

        /** Stops every server and waits until each has run {@code terminate}. */
        void stopAll() throws InterruptedException {
            for (Pid p : pids) {
                if (p != null) {
                    GenServer.cast(p, Stop.STOP);
                } else {
                    stopped.countDown();
                }
            }
            if (!stopped.await(5, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new IllegalStateException("idle servers did not stop within 5 minutes");
            }
        }
    }

    /** A plain process that, for each {@link Go}, casts {@code casts} times to its sink, then a {@link Flush}. */
    record Go(CountDownLatch done) {}

    static Pid producer(Pid sink, int casts) {
        return Proc.spawn(() -> {
            for (;;) {
                Object m = Proc.receive();
                if (!(m instanceof Go(CountDownLatch done))) {
                    return;
                }
                for (int i = 0; i < casts; i++) {
                    GenServer.cast(sink, Inc.INC);
                }
                GenServer.cast(sink, new Flush(done));
            }
        });
    }

    static Pid start(GenServer<Void, ?> server) {
        return GenServer.start(server, null).pid();
    }

    static void stop(Pid pid) {
        GenServer.stop(pid, ExitReason.normal(), Duration.ofMinutes(1));
    }

}
