package com.example.consumer;

import io.otpj.core.CallResult;
import io.otpj.core.CastResult;
import io.otpj.core.ExitReason;
import io.otpj.core.From;
import io.otpj.core.GenServer;
import io.otpj.core.InitResult;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.registry.Registry;
import io.otpj.registry.RegistryOptions;
import io.otpj.supervisor.ChildSpec;
import io.otpj.supervisor.Supervisor;
import io.otpj.supervisor.SupervisorFlags;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReader;
import java.lang.module.ResolvedModule;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * What a user of otpj does on day one, from outside its packages: a supervisor with a GenServer
 * named locally and one named through a Registry; calls and casts by name; a crash and the
 * restart. Then the published surface is checked: the exported packages of each otpj module, and
 * every public type reachable from them, against {@code api.txt}; a type not listed there is an
 * internal one that became reachable (or new API nobody reviewed). Exit code 0 when all holds, 1
 * with one line naming what failed otherwise.
 */
public final class App {

    /** A counter: the state is the count. */
    static final class Counter implements GenServer<Integer, Integer> {
        record Inc(int by) {}
        record Get() {}

        @Override
        public InitResult<Integer> init(Integer start) {
            return ok(start);
        }

        @Override
        public CallResult<Integer> handleCall(Object request, From from, Integer n) throws Exception {
            return switch (request) {
                case Get g -> reply(n, n);
                default -> GenServer.super.handleCall(request, from, n);
            };
        }

        @Override
        public CastResult<Integer> handleCast(Object request, Integer n) throws Exception {
            return switch (request) {
                case Inc(int by) -> noreply(n + by);
                default -> GenServer.super.handleCast(request, n);
            };
        }
    }

    static final List<String> MODULES = List.of("io.otpj.core", "io.otpj.supervisor", "io.otpj.registry");

    public static void main(String[] args) throws Exception {
        try {
            String mode = App.class.getModule().isNamed() ? "module path" : "class path";
            supervisedNamedServers();
            Set<String> api = publicTypes();
            Set<String> expected = expectedApi();
            if (!api.equals(expected)) {
                Set<String> extra = new TreeSet<>(api);
                extra.removeAll(expected);
                Set<String> missing = new TreeSet<>(expected);
                missing.removeAll(api);
                fail("public types differ from api.txt: reachable but not listed " + extra + ", listed but not reachable " + missing);
            }
            System.out.println("consumer: OK on the " + mode + ": supervised named servers, " + api.size() + " public types as listed");
            System.exit(0);
        } catch (AssertionError | RuntimeException e) {
            System.out.println("consumer: FAILED: " + e);
            System.exit(1);
        }
    }

    static void fail(String what) {
        throw new AssertionError(what);
    }

    static void supervisedNamedServers() throws InterruptedException {
        Registry<String, Object> registry = Registry.start(RegistryOptions.unique("consumer-registry"));
        Name local = Name.local("counter");
        Name via = registry.via("counter");
        Supervisor.start(SupervisorFlags.oneForOne(), List.of(
                ChildSpec.worker("local", () -> GenServer.startLink(new Counter(), 0, local)),
                ChildSpec.worker("via", () -> GenServer.startLink(new Counter(), 100, via))));
        for (Name name : List.of(local, via)) {
            GenServer.cast(name, new Counter.Inc(5));
            int before = GenServer.<Integer>call(name, new Counter.Get());
            Pid first = GenServer.whereis(name).orElseThrow();
            Proc.exit(first, ExitReason.kill());
            // The supervisor restarts the child under the same name, with its initial state.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            Pid second;
            while ((second = GenServer.whereis(name).orElse(first)).equals(first) || !second.isAlive()) {
                if (System.nanoTime() > deadline) {
                    fail(name + " was not restarted within 10 s");
                }
                Thread.sleep(1);
            }
            int after = GenServer.<Integer>call(name, new Counter.Get());
            if (before != after + 5) {
                fail(name + ": " + before + " before the kill, " + after + " after the restart");
            }
        }
    }

    /** The public types reachable in the otpj modules: exported packages only when on the module path. */
    static Set<String> publicTypes() throws IOException {
        Set<String> types = new TreeSet<>();
        ModuleLayer layer = App.class.getModule().getLayer();
        if (layer != null) {
            for (String name : MODULES) {
                ResolvedModule m = layer.configuration().findModule(name)
                        .orElseThrow(() -> new AssertionError("module " + name + " not on the module path"));
                ModuleDescriptor d = m.reference().descriptor();
                if (d.isOpen() || !d.opens().isEmpty()) {
                    fail(name + " opens packages: " + d.opens());
                }
                for (ModuleDescriptor.Exports e : d.exports()) {
                    if (e.isQualified()) {
                        fail(name + " exports " + e.source() + " to " + e.targets());
                    }
                }
                Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
                try (ModuleReader r = m.reference().open()) {
                    for (String entry : r.list().toList()) {
                        addIfPublic(types, entry, exported, name);
                    }
                }
            }
        } else {
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path jar = Path.of(entry);
                if (!Files.isRegularFile(jar) || !jar.getFileName().toString().startsWith("otpj-")) {
                    continue;
                }
                try (JarFile j = new JarFile(jar.toFile())) {
                    for (String e : j.stream().map(java.util.zip.ZipEntry::getName).toList()) {
                        addIfPublic(types, e, null, jar.getFileName().toString());
                    }
                }
            }
        }
        return types;
    }

    static void addIfPublic(Set<String> types, String entry, Set<String> exported, String where) {
        if (!entry.endsWith(".class") || entry.endsWith("module-info.class") || entry.startsWith("META-INF/")) {
            return;
        }
        String cn = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
        String pkg = cn.substring(0, cn.lastIndexOf('.'));
        if (exported != null && !exported.contains(pkg)) {
            return;
        }
        Class<?> c;
        try {
            c = Class.forName(cn, false, App.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new AssertionError(where + ": cannot load " + cn + ": " + e);
        }
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
                return;
            }
        }
        types.add(c.getName());
    }

    static Set<String> expectedApi() throws IOException {
        try (InputStream in = App.class.getResourceAsStream("api.txt")) {
            if (in == null) {
                throw new AssertionError("api.txt missing");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
