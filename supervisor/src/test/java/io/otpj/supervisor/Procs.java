package io.otpj.supervisor;

import io.otpj.test.TestKit;
import io.otpj.core.Down;
import io.otpj.core.Exit;
import io.otpj.core.ExitReason;
import io.otpj.core.MonitorRef;
import io.otpj.core.Pid;
import io.otpj.core.GenServer;
import io.otpj.core.Proc;
import io.otpj.core.RequestId;
import io.otpj.core.Sys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Test helpers: run a body in a process, wait for deaths and DOWNs without sleeping. */
final class Procs {

    /** Generous: tests run on a loaded 2-core machine. */
    static final Duration WAIT = Duration.ofSeconds(30);

    private Procs() {}

    /** Runs {@code body} in a fresh process (so it can monitor, link, trap) and returns its result. */
    static <T> T inProcess(Callable<T> body) {
        return TestKit.inProcess(body, WAIT);
    }

    static void inProcess(ThrowingRunnable body) {
        TestKit.inProcess(body::run, WAIT);
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** In a process: monitors {@code pid} and returns its exit reason. */
    static ExitReason awaitDown(Pid pid) {
        MonitorRef ref = Proc.monitor(pid);
        return awaitDown(ref);
    }

    static ExitReason awaitDown(MonitorRef ref) {
        Down d = (Down) Proc.receive(m -> m instanceof Down dd && dd.ref() == ref, WAIT)
                .orElseThrow(() -> new AssertionError("no DOWN for " + ref + " within " + WAIT));
        return d.reason();
    }

    /** In a process that traps exits: the EXIT from {@code pid}. */
    static ExitReason awaitExit(Pid pid) {
        Exit e = (Exit) Proc.receive(m -> m instanceof Exit x && x.from().equals(pid), WAIT)
                .orElseThrow(() -> new AssertionError("no EXIT from " + pid + " within " + WAIT));
        return e.reason();
    }

    /**
     * Makes "what a supervisor shows right after it handled an event" deterministic: with the
     * supervisor suspended (it handles only system requests, queuing the rest in order),
     * {@code inject} causes the event (a child's EXIT reaches the mailbox), then {@code request}
     * is queued behind it; on resume the supervisor handles the EXIT, then our request, and only
     * then anything the EXIT made it send itself (a retry).
     */
    static <T> T afterEvent(Pid sup, Runnable inject, Object request) {
        @SuppressWarnings("unchecked")
        T reply = (T) afterEvent(sup, inject, List.of(request)).getFirst();
        return reply;
    }

    /** Like {@link #afterEvent(Pid, Runnable, Object)} with several requests, answered in order. */
    static List<Object> afterEvent(Pid sup, Runnable inject, List<Object> requests) {
        Sys.suspend(sup);
        List<RequestId<Object>> replies = new ArrayList<>();
        try {
            inject.run();
            for (Object r : requests) {
                replies.add(GenServer.sendRequest(sup, r));
            }
        } finally {
            Sys.resume(sup);
        }
        List<Object> out = new ArrayList<>();
        for (RequestId<Object> r : replies) {
            out.add(r.await(WAIT));
        }
        return out;
    }
}
