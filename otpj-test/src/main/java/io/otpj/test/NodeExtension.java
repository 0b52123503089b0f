package io.otpj.test;

import io.otpj.core.Node;
import io.otpj.core.NodeOptions;
import io.otpj.core.NodeProcess;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * The JUnit Jupiter extension behind {@link OtpjTest}; usable on its own with
 * {@code @ExtendWith(NodeExtension.class)} or {@code @RegisterExtension}.
 *
 * <p>For each test it starts a node named after the test class, method and a sequence number
 * (no JVM shutdown hook), binds it as the {@linkplain Node#current() current node} around the
 * test method, its {@code @BeforeEach} and {@code @AfterEach} methods, and resolves parameters of
 * type {@link Node} to it. After the test it waits up to {@link #EXIT_GRACE} for the node's
 * processes to end (a process told to stop may still be on its way out), then, if processes are left and leftovers fail the test (the
 * default), fails it with the list (pid, name, status, mailbox length) and the applications
 * still running; in every case it stops the node with a zero deadline. Each test gets a fresh
 * node, so tests run in parallel do not share names. Registered twice on one test, it still
 * gives the test one node. A {@code @Nested} class without its own {@link OtpjTest} follows the
 * nearest enclosing class's. Thread-safe.
 */
public final class NodeExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver, InvocationInterceptor {

    /** How long the check after a test waits for the node's processes to end before it calls them leftovers. */
    public static final Duration EXIT_GRACE = Duration.ofSeconds(5);

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NodeExtension.class);
    private static final AtomicLong SEQ = new AtomicLong();

    private final boolean failOnLeftovers;

    /** An extension that fails tests leaving processes alive (unless {@link OtpjTest} says otherwise). */
    public NodeExtension() {
        this(true);
    }

    private NodeExtension(boolean failOnLeftovers) {
        this.failOnLeftovers = failOnLeftovers;
    }

    /**
     * An extension, for {@code @RegisterExtension}, that lets the node's stop clean up what a
     * test leaves.
     *
     * @return the lenient extension
     */
    public static NodeExtension lenient() {
        return new NodeExtension(false);
    }

    /**
     * The node of the test running in {@code context}.
     *
     * @param context the test's context
     * @return its node
     * @throws IllegalStateException outside a test (in {@code @BeforeAll}, say)
     */
    public static Node node(ExtensionContext context) {
        Node n = context.getStore(NS).get(Node.class, Node.class);
        if (n == null) {
            throw new IllegalStateException("no otpj node: NodeExtension gives one to each test method, not to "
                    + context.getDisplayName());
        }
        return n;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (context.getStore(NS).get(Node.class, Node.class) != null) {
            return; // registered twice (annotation and field, say): the test has its node already
        }
        String cls = context.getRequiredTestClass().getSimpleName();
        String method = context.getTestMethod().map(Method::getName).orElse("test");
        String name = "test-" + cls + "-" + method + "-" + SEQ.incrementAndGet();
        Node n = Node.start(NodeOptions.named(name).withShutdownHook(false));
        context.getStore(NS).put(Node.class, n);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Node n = context.getStore(NS).remove(Node.class, Node.class);
        if (n == null) {
            return;
        }
        String leftovers = null;
        try {
            OtpjTest a = annotation(context.getRequiredTestClass());
            if (failOnLeftovers && (a == null || a.failOnLeftovers())) {
                leftovers = leftovers(n);
            }
        } finally {
            n.stop(Duration.ZERO);
        }
        if (leftovers != null && context.getExecutionException().isEmpty()) {
            throw new AssertionError(leftovers);
        }
    }

    /** The {@link OtpjTest} on the class or, for a {@code @Nested} class, the nearest enclosing one. */
    private static OtpjTest annotation(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            OtpjTest a = k.getAnnotation(OtpjTest.class);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    /** @return a description of what the test left alive, or null if nothing */
    private static String leftovers(Node n) {
        long end = System.nanoTime() + EXIT_GRACE.toNanos();
        List<NodeProcess> left = n.list();
        long pause = 10_000L;
        while (!left.isEmpty() && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 10_000_000L);
            left = n.list();
        }
        List<String> apps = n.applications();
        if (left.isEmpty() && apps.isEmpty()) {
            return null;
        }
        return "the test left " + left.size() + " process(es) alive in node " + n.name()
                + (apps.isEmpty() ? "" : " (applications " + apps + ")") + ":\n"
                + left.stream().map(p -> "  " + p.pid() + p.name().map(x -> " name=" + x).orElse("")
                        + " status=" + p.status() + " mailbox=" + p.mailboxLength())
                        .collect(Collectors.joining("\n"))
                + "\nstop them in the test (GenServer.stop, Proc.exit) or use @OtpjTest(failOnLeftovers = false)";
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Node.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        try {
            return node(context);
        } catch (IllegalStateException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        bound(invocation, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        bound(invocation, context);
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        bound(invocation, context);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        bound(invocation, context);
    }

    private static void bound(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        Node n = context.getStore(NS).get(Node.class, Node.class);
        if (n == null) {
            invocation.proceed();
            return;
        }
        n.call(invocation::proceed);
    }
}
