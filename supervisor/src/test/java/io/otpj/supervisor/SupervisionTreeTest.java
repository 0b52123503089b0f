package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.*;

import io.otpj.core.CastResult;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Pid;
import io.otpj.core.Action;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A three-level tree (top, mid, leaf supervisors) with a crash storm at a leaf worker that
 * escalates level by level to the top, checked end to end.
 */
class SupervisionTreeTest {

    /** A worker that crashes right after it starts, every time: a storm that never ends. */
    static final class Stormy implements GenServer<AtomicInteger, AtomicInteger> {
        @Override
        public InitResult<AtomicInteger> init(AtomicInteger starts) {
            starts.incrementAndGet();
            return ok(starts, Action.continueWith("crash"));
        }

        @Override
        public CastResult<AtomicInteger> handleContinue(Object arg, AtomicInteger starts) {
            return stop(ExitReason.of("storm"), starts);
        }
    }

    @Test
    void aCrashStormAtALeafEscalatesToTheTop() {
        final int leafMax = 2, midMax = 1, topMax = 1;
        Duration hour = Duration.ofHours(1);
        AtomicInteger stormStarts = new AtomicInteger();
        ConcurrentLinkedQueue<Pid> everyone = new ConcurrentLinkedQueue<>();
        Events ev = new Events();

        ChildSpec storm = ChildSpec.worker("stormy", () -> record(everyone,
                GenServer.startLink(new Stormy(), stormStarts)));
        ChildSpec leaf = ChildSpec.supervisor("leaf", () -> record(everyone,
                Supervisor.startLink(SupervisorFlags.oneForOne().withIntensity(leafMax, hour), List.of(storm))));
        ChildSpec mid = ChildSpec.supervisor("mid", () -> record(everyone,
                Supervisor.startLink(SupervisorFlags.oneForOne().withIntensity(midMax, hour),
                        List.of(Worker.spec("mid-calm", ev), leaf))));

        ExitReason topReason = Procs.inProcess(() -> {
            Proc.trapExit(true);
            Pid top = Supervisor.startLink(SupervisorFlags.oneForOne().withIntensity(topMax, hour),
                    List.of(Worker.spec(Worker.config("audit", ev).trapping()), mid)).pid();
            everyone.add(top);
            return Procs.awaitExit(top);
        });

        // The top gave up and said so to its parent, as every supervisor below it did.
        assertEquals(ExitReason.shutdown(), topReason);
        // Each leaf incarnation starts the worker leafMax+1 times; each mid incarnation starts the
        // leaf midMax+1 times; the top starts mid topMax+1 times.
        assertEquals((leafMax + 1) * (midMax + 1) * (topMax + 1), stormStarts.get());
        assertEquals(topMax + 1, ev.starts("mid-calm"), "one_for_one in mid: its calm worker restarts only with mid");
        assertEquals(1, ev.starts("audit"), "one_for_one at the top: the audit worker was never restarted");
        assertEquals(List.of(new Events.TerminateDone("audit", ev.startedPids().getFirst(), ExitReason.shutdown())),
                ev.of(Events.TerminateDone.class));
        everyone.forEach(p -> assertFalse(p.isAlive(), p + " survived the storm"));
        ev.startedPids().forEach(p -> assertFalse(p.isAlive(), p + " survived the storm"));
        assertEquals(1 + (topMax + 1) + (topMax + 1) * (midMax + 1) + stormStarts.get(), everyone.size());
    }

    private static StartResult record(ConcurrentLinkedQueue<Pid> everyone, StartResult r) {
        if (r instanceof StartResult.Ok(Pid pid)) {
            everyone.add(pid);
        }
        return r;
    }
}
