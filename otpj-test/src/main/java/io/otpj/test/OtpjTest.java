package io.otpj.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs each test of the annotated class in its own {@link io.otpj.core.Node}, with
 * {@link NodeExtension}: the node is current for the test method and its {@code @BeforeEach}
 * and {@code @AfterEach} methods (so {@code Proc.spawn}, {@code GenServer.start} and local names
 * act on it), a {@code Node} parameter receives it, and the test fails if it leaves processes
 * alive, listing them. The node is stopped after each test, whatever the outcome.
 * {@snippet :
 * @OtpjTest
 * class CounterTest {
 *     @Test
 *     void counts(Node node) {
 *         Pid counter = GenServer.start(new Counter(), 0).pid();   // runs in this test's node
 *         GenServer.cast(counter, new Counter.Inc(2));
 *         assertEquals(2, (int) GenServer.call(counter, new Counter.Get()));
 *         GenServer.stop(counter);                                 // or the test fails
 *     }
 * }
 * }
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NodeExtension.class)
public @interface OtpjTest {

    /**
     * Whether a test that leaves processes alive fails. Set it to false for tests whose
     * processes are meant to be cleaned up by the node's stop.
     *
     * @return true (the default) to fail such a test
     */
    boolean failOnLeftovers() default true;
}
