package io.otpj.benchmarks;

import io.otpj.benchmarks.Report.Better;
import io.otpj.benchmarks.Report.Figure;
import io.otpj.benchmarks.Report.Target;
import java.util.List;

/** Figures of the modules beyond core: the registry and the supervisor. */
final class Extra {

    private Extra() {}

    private static final Target NONE = new Target.None();

    static List<Figure> figures() {
        return List.of(
                new Figure("Registry register + unregister of a unique key, by a process (pairs)",
                        "OtpjRegistry.registerUnregister", "core local names, Proc.register + unregister",
                        "OtpjRegistry.localNameRegisterUnregister", Better.HIGHER, NONE),
                new Figure("Registry lookup of a unique key, plain thread", "OtpjRegistry.lookup",
                        "core local names, Proc.whereis", "OtpjRegistry.localWhereis", Better.HIGHER, NONE),
                new Figure("Call through a Registry via-name, plain thread", "OtpjRegistry.viaCall",
                        "call by pid, same JVM", "OtpjRegistry.pidCall", Better.LOWER, NONE),
                new Figure("Supervisor: child killed → replacement answers a call (one-for-one)",
                        "OtpjSupervisor.crashToReplacementAnswers", "Pekko supervise(...).onFailure(restart), in place",
                        "PekkoSupervision.failToRestartedAnswers", Better.LOWER, NONE));
    }
}
