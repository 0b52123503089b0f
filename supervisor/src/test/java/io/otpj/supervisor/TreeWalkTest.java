package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.CallResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.NoProcException;
import io.otpj.core.Pid;
import io.otpj.test.OtpjTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** {@link Supervisor#tree}: a walk of nested static, dynamic and misdeclared supervisors. */
@OtpjTest
class TreeWalkTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    /** Declared a supervisor by its spec, but a worker that holds every call until released. */
    static final class Mute implements GenServer<CountDownLatch, CountDownLatch> {
        @Override
        public InitResult<CountDownLatch> init(CountDownLatch release) {
            return ok(release);
        }

        @Override
        public CallResult<CountDownLatch> handleCall(Object request, From from, CountDownLatch release) throws Exception {
            release.await();
            return reply("late", release);
        }
    }

    @Test
    void theWalkListsEveryLevelInOrderAndSaysWhichSupervisorCouldNotBeRead() {
        Events events = new Events();
        CountDownLatch release = new CountDownLatch(1);
        try {
            Name dyn = Name.local("tree-walk-dynamic");
            Pid root = Supervisor.start(SupervisorFlags.oneForOne(), List.of(
                    Worker.spec("w1", events),
                    Supervisor.childSpec("mid", SupervisorFlags.oneForAll(),
                            List.of(Worker.spec("m1", events), Worker.spec("m2", events))),
                    DynamicSupervisor.childSpec("dyn", DynamicSupervisor.Options.defaults(), dyn),
                    ChildSpec.supervisor("mute", () -> GenServer.startLink(new Mute(), release)))).pid();
            for (String id : List.of("d1", "d2")) {
                DynamicSupervisor.startChild(dyn, Worker.spec(id, events)).pid();
            }

            SupervisionTree tree = Supervisor.tree(root, Duration.ofMillis(300));
            assertEquals(root, tree.supervisor());
            assertEquals(List.of("w1", "mid", "dyn", "mute"), ids(tree.children()));
            SupervisionTree mid = tree.children().get(1).subtree().orElseThrow();
            assertEquals(List.of("m1", "m2"), ids(mid.children()));
            assertEquals(Supervisor.whichChildren(root).get(1).pid().orElseThrow(), mid.supervisor());
            SupervisionTree dynamic = tree.children().get(2).subtree().orElseThrow();
            assertEquals(List.of("d1", "d2"), ids(dynamic.children()));
            assertEquals(GenServer.whereis(dyn).orElseThrow(), dynamic.supervisor());

            SupervisionTree.Branch worker = tree.children().get(0);
            assertEquals(Optional.empty(), worker.subtree());
            assertEquals(Optional.empty(), worker.unreachable());
            SupervisionTree.Branch mute = tree.children().get(3);
            assertEquals(Optional.empty(), mute.subtree());
            assertTrue(mute.unreachable().orElseThrow().contains("Timeout"), mute.unreachable().get());

            assertTrue(Supervisor.roots(io.otpj.core.Node.current()).contains(root), "the root is a root");
            for (SupervisionTree.Branch b : List.of(tree.children().get(1), tree.children().get(2))) {
                Pid nested = b.subtree().orElseThrow().supervisor();
                assertTrue(!Supervisor.roots(io.otpj.core.Node.current()).contains(nested), b + " is not a root");
                assertTrue(io.otpj.core.Node.current().list().stream().filter(p -> p.pid().equals(nested))
                        .allMatch(Supervisor::isSupervisor), b + " is a supervisor");
            }
            assertTrue(io.otpj.core.Node.current().list().stream().filter(p -> p.pid().equals(worker.child().pid().orElseThrow()))
                    .noneMatch(Supervisor::isSupervisor), "a worker is not a supervisor");
            List<Object> visited = new ArrayList<>();
            tree.forEachChild(b -> visited.add(b.child().id()));
            assertEquals(List.of("w1", "mid", "m1", "m2", "dyn", "d1", "d2", "mute"), visited);
            assertEquals(8, tree.size());
            release.countDown();
            Supervisor.stop(root);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aDeadRootOrBadArgumentsFailClearly() {
        Pid dead = Supervisor.start(SupervisorFlags.oneForOne(), List.of()).pid();
        Supervisor.stop(dead);
        assertThrows(NoProcException.class, () -> Supervisor.tree(dead, WAIT));
        assertThrows(NoProcException.class, () -> Supervisor.tree(Name.local("tree-walk-nobody"), WAIT));
        assertThrows(NullPointerException.class, () -> Supervisor.tree(null, WAIT));
        Pid root = Supervisor.start(SupervisorFlags.oneForOne(), List.of()).pid();
        assertThrows(IllegalArgumentException.class, () -> Supervisor.tree(root, Duration.ofSeconds(-1)));
        assertEquals(0, Supervisor.tree(root, WAIT).size());
        Supervisor.stop(root);
    }

    private static List<Object> ids(List<SupervisionTree.Branch> branches) {
        return branches.stream().map(b -> b.child().id()).toList();
    }
}
