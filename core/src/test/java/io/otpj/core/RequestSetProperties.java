package io.otpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.otpj.core.RequestSet.Failure;
import io.otpj.core.RequestSet.Reply;
import io.otpj.core.RequestSet.Response;
import io.otpj.core.RequestSetTest.Desk;
import io.otpj.core.RequestSetTest.Hold;
import io.otpj.core.RequestSetTest.Release;
import io.otpj.core.RequestSetTest.Seq;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A {@link RequestSet} against a sequential model of three servers, under any sequence of
 * requests (answered at once or held), releases, kills and partial collections: every request
 * gets exactly one response; per server, in sending order, the responses are the model's replies
 * up to the kill (counters and held values as a sequential server gives them), then
 * {@code killed} for the requests the dead server never answered, then {@code noproc} for those
 * sent after it was dead. Where the kill raced the server's work, the model allows exactly that
 * boundary to fall anywhere, but nowhere else.
 */
class RequestSetProperties {

    static final int SERVERS = 3;

    sealed interface Op {}
    record SendSeq(int server) implements Op {}
    record SendHold(int server) implements Op {}
    record ReleaseAll(int server) implements Op {}
    record Kill(int server) implements Op {}
    record Collect(int upTo) implements Op {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> s = Arbitraries.integers().between(0, SERVERS - 1);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, s.map(x -> (Op) new SendSeq(x))),
                net.jqwik.api.Tuple.of(3, s.map(x -> (Op) new SendHold(x))),
                net.jqwik.api.Tuple.of(2, s.map(x -> (Op) new ReleaseAll(x))),
                net.jqwik.api.Tuple.of(1, s.map(x -> (Op) new Kill(x))),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 4).map(x -> (Op) new Collect(x))))
                .list().ofMaxSize(60);
    }

    /**
     * What the model expects of one request: its reply value if its server answers it, whether it
     * was sent to a server already dead, and the position, among the messages its server takes,
     * of the one that answers it (its own for a counter; the release for a held request).
     */
    static final class Expect {
        final int id;
        final Object value;
        final boolean afterKill;
        long answeredAt = Long.MAX_VALUE;

        Expect(int id, Object value, boolean afterKill) {
            this.id = id;
            this.value = value;
            this.afterKill = afterKill;
        }
    }

    @Property(tries = 150)
    void everyRequestIsAnsweredOnceAndAsTheModelSays(@ForAll("ops") List<Op> ops) {
        Pid[] pids = new Pid[SERVERS];
        for (int i = 0; i < SERVERS; i++) {
            pids[i] = Desk.start(new Desk(0));
        }
        // Model, per server: the next counter value, the held values not released, dead or not,
        // and the expectation of each request in sending order.
        int[] counter = new int[SERVERS];
        long[] position = new long[SERVERS];
        List<List<Expect>> held = new ArrayList<>();
        boolean[] dead = new boolean[SERVERS];
        List<List<Expect>> perServer = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            held.add(new ArrayList<>());
            perServer.add(new ArrayList<>());
        }
        Map<Integer, Response<Integer>> got = new HashMap<>();
        RequestSet<Integer> set = RequestSet.create();
        int nextId = 0;
        try {
            for (Op op : ops) {
                switch (op) {
                    case SendSeq(int s) -> {
                        int id = nextId++;
                        set.send(pids[s], new Seq(), id);
                        Expect e = new Expect(id, dead[s] ? null : counter[s]++, dead[s]);
                        e.answeredAt = position[s]++;
                        perServer.get(s).add(e);
                    }
                    case SendHold(int s) -> {
                        int id = nextId++;
                        set.send(pids[s], new Hold(id), id);
                        Expect e = new Expect(id, id, dead[s]);
                        position[s]++;
                        perServer.get(s).add(e);
                        if (!dead[s]) {
                            held.get(s).add(e);
                        }
                    }
                    case ReleaseAll(int s) -> release(pids[s], held.get(s), position[s]++);
                    case Kill(int s) -> {
                        if (!dead[s]) {
                            dead[s] = true;
                            Proc.exit(pids[s], ExitReason.kill());
                            // Dead for the sender from here: a request sent next finds it gone.
                            Probe.until(() -> !Proc.isAlive(pids[s]), Probe.WAIT, "the killed server lived on");
                        }
                    }
                    case Collect(int upTo) -> {
                        for (int k = 0; k < upTo && !set.isEmpty(); k++) {
                            set.poll().ifPresent(r -> record(got, r));
                        }
                    }
                }
            }
            for (int s = 0; s < SERVERS; s++) {
                if (!dead[s]) {
                    release(pids[s], held.get(s), position[s]++);
                }
            }
            for (Response<Integer> r : set.awaitAll(Probe.WAIT)) {
                record(got, r);
            }
            if (!set.isEmpty()) {
                fail(set.size() + " requests got no response within " + Probe.WAIT + Probe.dumpThreads());
            }
            assertEquals(nextId, got.size(), "one response per request");
            for (int s = 0; s < SERVERS; s++) {
                check(s, perServer.get(s), got, pids[s]);
            }
        } finally {
            set.abandon();
            for (Pid p : pids) {
                Proc.exit(p, ExitReason.kill());
            }
        }
    }

    private static void release(Pid pid, List<Expect> held, long at) {
        GenServer.cast(pid, new Release());
        for (Expect e : held) {
            e.answeredAt = at;
        }
        held.clear();
    }

    private static void record(Map<Integer, Response<Integer>> got, Response<Integer> r) {
        Response<Integer> before = got.put(r.label(), r);
        if (before != null) {
            fail("request " + r.label() + " answered twice: " + before + " and " + r);
        }
    }

    /**
     * In the order the server answers them (by the message that answers each, then sending order):
     * model replies, then (from one point on, where the kill landed) killed; requests sent after
     * the kill: noproc.
     */
    private static void check(int s, List<Expect> expects, Map<Integer, Response<Integer>> got, Pid pid) {
        List<Expect> order = new ArrayList<>(expects);
        order.sort(java.util.Comparator.comparingLong(e -> e.answeredAt)); // stable: sending order within one
        boolean killedSeen = false;
        for (Expect e : order) {
            Response<Integer> r = got.get(e.id);
            assertEquals(pid, r.server());
            if (e.afterKill) {
                assertEquals(new Failure<>(e.id, pid, ExitReason.noproc()), r, "server " + s);
                continue;
            }
            switch (r) {
                case Reply<Integer>(Integer id, ServerRef server, Object value) -> {
                    assertTrue(!killedSeen, "server " + s + ": a reply after a request its death answered: " + r);
                    assertEquals(e.value, value, "server " + s + ": request " + id);
                }
                case Failure<Integer>(Integer id, ServerRef server, ExitReason reason) -> {
                    assertEquals(ExitReason.killed(), reason, "server " + s + ": request " + id);
                    killedSeen = true;
                }
            }
        }
    }
}
