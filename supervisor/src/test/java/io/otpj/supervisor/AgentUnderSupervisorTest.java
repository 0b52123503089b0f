package io.otpj.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.otpj.core.Agent;
import io.otpj.core.ExitReason;
import io.otpj.core.GenServer;
import io.otpj.core.Name;
import io.otpj.core.Pid;
import io.otpj.core.Proc;
import io.otpj.test.OtpjTest;
import io.otpj.test.TestKit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Elixir's {@code children = [{Agent, fn -> 0 end}]}: an Agent as a supervised child, reached by
 * its name across restarts, its state back to the initial value after a crash.
 */
@OtpjTest
class AgentUnderSupervisorTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aSupervisedAgentIsRestartedWithItsInitialStateUnderItsName() {
        Name name = Name.local("counter-agent");
        Pid sup = Supervisor.start(SupervisorFlags.oneForOne(),
                List.of(ChildSpec.worker("counter", () -> Agent.startLink(() -> 0, name)))).pid();
        Agent.Ref<Integer> counter = Agent.of(name);
        counter.update(n -> n + 5, WAIT);
        assertEquals(5, (int) counter.get(n -> n, WAIT));
        Pid first = GenServer.whereis(name).orElseThrow();
        Proc.exit(first, ExitReason.kill());
        TestKit.eventually(() -> GenServer.whereis(name).filter(p -> !p.equals(first)).isPresent(), WAIT,
                "the agent was not restarted under its name");
        assertNotEquals(first, GenServer.whereis(name).orElseThrow());
        assertEquals(0, (int) counter.get(n -> n, WAIT), "a restarted agent starts from its initial state");
        Supervisor.stop(sup);
    }
}
