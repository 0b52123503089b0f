package io.otpj.supervisor;

import io.otpj.core.Name;
import io.otpj.core.NameRegistry;
import io.otpj.core.Node;
import io.otpj.core.Pid;
import io.otpj.core.ServerRef;
import io.otpj.core.StartResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Several copies of one child, each serving the keys that hash to it: Elixir's
 * {@code PartitionSupervisor}, for a server that became a bottleneck.
 * {@snippet :
 * PartitionSupervisor.start("ledgers", 4, i -> ChildSpec.worker("ledger", () -> Ledger.startLink(i)));
 * GenServer.call(PartitionSupervisor.via("ledgers", accountId), new Post(entry));  // always the same partition for accountId
 * }
 *
 * <p>It is a one_for_one {@link Supervisor} registered under the local name {@code name}, with
 * one child per partition, whose id is the partition's index (0 to {@code partitions - 1})
 * whatever id the given spec had: a crashed partition is restarted alone, within the
 * supervisor's restart intensity. {@link #via(String, Object)} routes a key as Elixir does: an
 * integer key ({@code Integer}, {@code Long}, {@code Short}, {@code Byte} or {@code BigInteger})
 * {@code k} to partition {@code rem(abs(k), partitions)}, any other key to
 * {@code floorMod(key.hashCode(), partitions)}; so a key always reaches the same partition.
 * A via-name is resolved at each use (a {@code which_children} call to the partition
 * supervisor, in the node the via-name was made in); while a partition is restarting, a call to
 * it fails with {@code noproc}. Thread-safe.
 */
public final class PartitionSupervisor {

    private PartitionSupervisor() {}

    /**
     * The supervisor's children: {@code child.apply(i)} for each partition, with id {@code i}.
     */
    private static List<ChildSpec> children(int partitions, IntFunction<ChildSpec> child) {
        if (partitions < 1 || partitions > 10_000) {
            throw new IllegalArgumentException("partitions must be 1 to 10000, got " + partitions);
        }
        Objects.requireNonNull(child, "child");
        List<ChildSpec> specs = new ArrayList<>(partitions);
        for (int i = 0; i < partitions; i++) {
            ChildSpec spec = Objects.requireNonNull(child.apply(i), "the child spec of partition " + i);
            specs.add(spec.withId(i));
        }
        return specs;
    }

    /**
     * Starts a partition supervisor, unlinked, from any thread.
     *
     * @param name its local name, which {@link #via} uses
     * @param partitions how many partitions, 1 to 10,000
     * @param child the spec of partition {@code i}, given {@code i}
     * @return the supervisor's start result
     * @throws IllegalArgumentException if {@code partitions} is out of range
     */
    public static StartResult start(String name, int partitions, IntFunction<ChildSpec> child) {
        return Supervisor.start(SupervisorFlags.oneForOne(), children(partitions, child), Name.local(requireName(name)));
    }

    /**
     * Starts a partition supervisor linked to the calling process.
     *
     * @param name its local name
     * @param partitions how many partitions
     * @param child the spec of partition {@code i}
     * @return the supervisor's start result
     */
    public static StartResult startLink(String name, int partitions, IntFunction<ChildSpec> child) {
        return Supervisor.startLink(SupervisorFlags.oneForOne(), children(partitions, child), Name.local(requireName(name)));
    }

    /**
     * A child spec that starts a partition supervisor under a supervisor.
     *
     * @param name its local name (also the spec's id)
     * @param partitions how many partitions
     * @param child the spec of partition {@code i}
     * @return the spec
     */
    public static ChildSpec childSpec(String name, int partitions, IntFunction<ChildSpec> child) {
        List<ChildSpec> specs = children(partitions, child);
        return Supervisor.childSpec(requireName(name), SupervisorFlags.oneForOne(), specs, Name.local(name));
    }

    /**
     * The partition that serves {@code key}, as a via-name usable wherever a {@link ServerRef} is
     * ({@code {:via, PartitionSupervisor, {name, key}}}).
     *
     * @param name the partition supervisor's name
     * @param key the routing key: an integer's magnitude, or another key's {@code hashCode}, picks
     *     the partition (see the class comment)
     * @return the via-name
     */
    public static ServerRef via(String name, Object key) {
        return Name.via(new Partitions(requireName(name), Node.current()), Objects.requireNonNull(key, "key"));
    }

    /**
     * The number of partitions of a running partition supervisor.
     *
     * @param name its name
     * @return how many partitions it has
     * @throws io.otpj.core.NoProcException if none runs under {@code name}
     */
    public static int partitions(String name) {
        return Supervisor.countChildren(Name.local(requireName(name))).specs();
    }

    private static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a partition supervisor needs a name");
        }
        return name;
    }

    /**
     * The partition of {@code key} among {@code partitions}: Elixir's {@code rem(abs(key),
     * partitions)} for an integer key (Java's {@code %} keeps the dividend's sign and the same
     * magnitude, so {@code abs(k % n)} is {@code rem(abs(k), n)}, with no overflow at
     * {@code MIN_VALUE}), otherwise {@code floorMod(key.hashCode(), partitions)}.
     */
    static int partition(Object key, int partitions) {
        return switch (key) {
            case Integer k -> Math.abs(k % partitions);
            case Long k -> (int) Math.abs(k % partitions);
            case Short k -> Math.abs(k % partitions);
            case Byte k -> Math.abs(k % partitions);
            case java.math.BigInteger k -> k.abs().mod(java.math.BigInteger.valueOf(partitions)).intValue();
            default -> Math.floorMod(key.hashCode(), partitions);
        };
    }

    /** The via-name registry of one partition supervisor: it routes, it does not register. */
    private record Partitions(String name, Node node) implements NameRegistry {
        @Override
        public Pid registerName(Object key, Pid pid) {
            throw new UnsupportedOperationException("a partition supervisor routes to its children; it does not register names");
        }

        @Override
        public void unregisterName(Object key) {
            throw new UnsupportedOperationException("a partition supervisor routes to its children; it does not register names");
        }

        @Override
        public Pid whereisName(Object key) {
            return node.call(() -> {
                if (node.whereis(name).isEmpty()) {
                    return null;
                }
                List<ChildInfo> children;
                try {
                    children = Supervisor.whichChildren(Name.local(name));
                } catch (io.otpj.core.CallException gone) {
                    return null;
                }
                int i = partition(key, children.size());
                for (ChildInfo c : children) {
                    if (c.id().equals(i)) {
                        return c.pid().filter(Pid::isAlive).orElse(null);
                    }
                }
                return null;
            });
        }
    }
}
