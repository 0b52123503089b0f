package io.otpj.test.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JavaCodeTest {

    enum Color { RED }

    record Pair(String name, long n, Optional<Color> color, List<Integer> xs) {}

    record Money(BigDecimal amount, Currency currency) {}

    @Test
    void rendersValuesAsJavaSource() {
        assertEquals("new JavaCodeTest.Pair(\"a\\\"b\\n\", 3L, java.util.Optional.of(JavaCodeTest.Color.RED), java.util.List.of(1, 2))",
                JavaCode.of(new Pair("a\"b\n", 3, Optional.of(Color.RED), List.of(1, 2))));
        assertEquals("new JavaCodeTest.Money(new java.math.BigDecimal(\"1.50\"), java.util.Currency.getInstance(\"IDR\"))",
                JavaCode.of(new Money(new BigDecimal("1.50"), Currency.getInstance("IDR"))));
        assertEquals("java.time.Duration.parse(\"PT1.5S\")", JavaCode.of(Duration.ofMillis(1500)));
        assertEquals("null", JavaCode.of(null));
        assertEquals("'\\''", JavaCode.of('\''));
        assertEquals("/* java.lang.StringBuilder: x */ null", JavaCode.of(new StringBuilder("x")));
    }
}
