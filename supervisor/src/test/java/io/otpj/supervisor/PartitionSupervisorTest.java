package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.otpj.core.CallResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.core.StartResult;
import io.otpj.test.OtpjTest;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PartitionSupervisor: one child per partition, keys routed as in Elixir (integers by rem, others by hash), partitions restarted alone. */
@OtpjTest
class PartitionSupervisorTest {

    /** Answers with its partition index. */
    static final class Partition implements GenServer<Integer, Integer> {
        @Override
        public InitResult<Integer> init(Integer i) {
            return ok(i);
        }

        @Override
        public CallResult<Integer> handleCall(Object req, From from, Integer i) {
            return reply(i, i);
        }
    }

    private static ChildSpec partition(int i) {
        return ChildSpec.worker("ignored", () -> GenServer.startLink(new Partition(), i));
    }

    @Test
    void keysAreRoutedByHashAndAlwaysToTheSamePartition() {
        Pid sup = PartitionSupervisor.start("parts", 4, PartitionSupervisorTest::partition).pid();
        assertEquals(4, PartitionSupervisor.partitions("parts"));
        for (int k = 0; k < 12; k++) {
            assertEquals(k % 4, (int) GenServer.call(PartitionSupervisor.via("parts", k), "which"), "key " + k);
        }
        assertEquals(Math.floorMod("alice".hashCode(), 4), (int) GenServer.call(PartitionSupervisor.via("parts", "alice"), "which"));
        // Integer keys as Elixir routes them, rem(abs(key), partitions), whatever their type or sign.
        Map<Object, Integer> elixir = new LinkedHashMap<>();
        elixir.put(-3, 3);
        elixir.put(-4, 0);
        elixir.put(Integer.MIN_VALUE, 0); // abs would overflow; rem(abs(-2^31), 4) = 0
        elixir.put(-7L, 3);
        elixir.put(1L << 32, 0);
        elixir.put((1L << 32) + 1, 1); // its hashCode is 0: not the route
        elixir.put(Long.MIN_VALUE + 1, 3); // rem(2^63 - 1, 4) = 3
        elixir.put((short) -5, 1);
        elixir.put((byte) 6, 2);
        elixir.put(java.math.BigInteger.TWO.pow(70).add(java.math.BigInteger.valueOf(3)), 3);
        elixir.put(java.math.BigInteger.valueOf(-10), 2);
        elixir.forEach((key, expected) -> assertEquals(expected,
                (int) GenServer.call(PartitionSupervisor.via("parts", key), "which"), "key " + key + " (" + key.getClass().getSimpleName() + ")"));
        // With 3 partitions, where abs(MIN_VALUE) would overflow into a wrong partition.
        Pid three = PartitionSupervisor.start("parts3", 3, PartitionSupervisorTest::partition).pid();
        Map<Object, Integer> elixir3 = new LinkedHashMap<>();
        elixir3.put(Integer.MIN_VALUE, 2); // rem(2^31, 3) = 2
        elixir3.put(Long.MIN_VALUE, 2); // rem(2^63, 3) = 2
        elixir3.put(-7, 1);
        elixir3.forEach((key, expected) -> assertEquals(expected,
                (int) GenServer.call(PartitionSupervisor.via("parts3", key), "which"), "key " + key + " of 3"));
        Supervisor.stop(three);
        assertEquals(GenServer.whereis(PartitionSupervisor.via("parts", "bob")), GenServer.whereis(PartitionSupervisor.via("parts", "bob")));
        assertEquals(List.of(0, 1, 2, 3), Supervisor.whichChildren(sup).stream().map(ChildInfo::id).toList());
        Supervisor.stop(sup);
    }

    @Test
    void aCrashedPartitionIsRestartedAloneAndServesItsKeysAgain() {
        Pid sup = PartitionSupervisor.start("crashy", 3, PartitionSupervisorTest::partition).pid();
        Pid one = GenServer.whereis(PartitionSupervisor.via("crashy", 1)).orElseThrow();
        Pid two = GenServer.whereis(PartitionSupervisor.via("crashy", 2)).orElseThrow();
        Proc.exit(one, ExitReason.kill());
        TestKit.eventually(() -> GenServer.whereis(PartitionSupervisor.via("crashy", 1)).filter(p -> !p.equals(one)).isPresent(),
                Duration.ofSeconds(10), "partition 1 restarted");
        assertNotEquals(one, GenServer.whereis(PartitionSupervisor.via("crashy", 1)).orElseThrow());
        assertEquals(two, GenServer.whereis(PartitionSupervisor.via("crashy", 2)).orElseThrow(), "partition 2 untouched");
        assertEquals(1, (int) GenServer.call(PartitionSupervisor.via("crashy", 4), "which"));
        Supervisor.stop(sup);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PartitionSupervisor.start("x", 0, PartitionSupervisorTest::partition));
        assertThrows(IllegalArgumentException.class, () -> PartitionSupervisor.start(" ", 2, PartitionSupervisorTest::partition));
        assertThrows(NullPointerException.class, () -> PartitionSupervisor.via("x", null));
        assertEquals(java.util.Optional.empty(), GenServer.whereis(PartitionSupervisor.via("not-running", 1)));
        StartResult r = GenServer.start(new Partition(), 0, io.otpj.core.Name.local("plain"));
        GenServer.stop(r.pid());
        Pid sup = PartitionSupervisor.start("routes-only", 2, PartitionSupervisorTest::partition).pid();
        StartResult named = GenServer.start(new Partition(), 9, (io.otpj.core.Name) PartitionSupervisor.via("routes-only", 1));
        assertTrue(named instanceof StartResult.Failed(ExitReason.Crash c) && c.cause() instanceof UnsupportedOperationException,
                named.toString());
        Supervisor.stop(sup);
    }
}
