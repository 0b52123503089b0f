package io.otpj.benchmarks;

import io.otpj.benchmarks.OtpjServers.Echo;
import io.otpj.benchmarks.OtpjServers.Ping;
import io.otpj.core.CallResult;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.registry.Registration;
import io.otpj.registry.Registry;
import io.otpj.registry.RegistryOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The registry module: registering and looking up unique keys, and calling a server through a
 * via-name, each against core's own local names or a call by pid.
 */
@State(Scope.Benchmark)
public class OtpjRegistry {

    /** Keys registered and unregistered per invocation (one at a time). */
    static final int KEYS = 1_000;
    private static final Duration LONG = Duration.ofMinutes(2);

    /** Asks a {@link Registrar} to register and unregister every key once, one key at a time. */
    enum Churn { REGISTRY, LOCAL_NAMES }

    /**
     * A process that registers keys. It holds one key for its whole life, so the link a registry
     * makes to a registered process is made once, not for every key measured.
     */
    static final class Registrar implements GenServer<Registry<Object, Object>, Registry<Object, Object>> {
        private final Object[] keys;

        Registrar(Object[] keys) {
            this.keys = keys;
        }

        @Override
        public InitResult<Registry<Object, Object>> init(Registry<Object, Object> registry) {
            registry.register("registrar-anchor", null);
            return ok(registry);
        }

        @Override
        public CallResult<Registry<Object, Object>> handleCall(Object request, From from, Registry<Object, Object> r) {
            int registered = 0;
            switch ((Churn) request) {
                case REGISTRY -> {
                    for (Object k : keys) {
                        if (r.register(k, null) instanceof Registration.Registered) {
                            registered++;
                        }
                        r.unregister(k);
                    }
                }
                case LOCAL_NAMES -> {
                    Pid self = Proc.self();
                    for (Object k : keys) {
                        Proc.register(k, self);
                        registered++;
                        Proc.unregister(k);
                    }
                }
            }
            return reply(registered, r);
        }
    }

    Registry<Object, Object> registry;
    Pid registrar;
    Pid echo;
    Name echoVia;
    Pid holder;
    Object lookupKey = "lookup-key";

    @Setup(Level.Trial)
    public void setUp() {
        registry = Registry.start(RegistryOptions.unique("bench-registry"));
        Object[] keys = new Object[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key-" + i;
        }
        registrar = GenServer.start(new Registrar(keys), registry).pid();
        echoVia = registry.via("echo");
        echo = GenServer.start(new Echo(), null, echoVia).pid();
        holder = GenServer.start(new Holder(), registry).pid();
    }

    /** Holds {@code lookup-key} in the registry and as a local name. */
    static final class Holder implements GenServer<Registry<Object, Object>, Boolean> {
        @Override
        public InitResult<Boolean> init(Registry<Object, Object> registry) {
            registry.register("lookup-key", "value");
            Proc.register("lookup-key", Proc.self());
            return ok(Boolean.TRUE);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        OtpjServers.stop(holder);
        OtpjServers.stop(echo);
        OtpjServers.stop(registrar);
        GenServer.stop(registry.pid());
    }

    /** A process registers a unique key and unregisters it; an operation is one such pair. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(KEYS)
    public Object registerUnregister() {
        return GenServer.call(registrar, Churn.REGISTRY, LONG);
    }

    /** The same with core's local names ({@code Proc.register} / {@code unregister}). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(KEYS)
    public Object localNameRegisterUnregister() {
        return GenServer.call(registrar, Churn.LOCAL_NAMES, LONG);
    }

    /** {@code Registry.lookup} of a held unique key, from a plain thread. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object lookup() {
        return registry.lookup(lookupKey);
    }

    /** {@code Proc.whereis} of a local name, from a plain thread. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object localWhereis() {
        return Proc.whereis(lookupKey);
    }

    /** A plain-thread call through the registry's via-name. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object viaCall() {
        return GenServer.call(echoVia, Ping.PING);
    }

    /** The same call by pid, in the same JVM, as the reference for {@link #viaCall}. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object pidCall() {
        return GenServer.call(echo, Ping.PING);
    }
}
