package io.otpj.supervisor;

import io.otpj.core.ExitReason;
import java.util.ArrayList;
import java.util.List;

/**
 * A sequential model of a static supervisor, written from OTP's rules, against which the
 * property tests compare the real one. It tracks which children run and a generation per child
 * that goes up each time the child gets a new process.
 */
final class SupervisorModel {

    static final class Kid {
        final int id;
        final Restart restart;
        boolean running = true;
        int generation;

        Kid(int id, Restart restart) {
            this.id = id;
            this.restart = restart;
        }

        @Override
        public String toString() {
            return id + ":" + restart + (running ? "@" + generation : ":down");
        }
    }

    /** What an operation should do. */
    enum Outcome { OK, ILLEGAL_STATE }

    final Strategy strategy;
    final int maxRestarts;
    final List<Kid> kids = new ArrayList<>();
    int restarts;
    boolean alive = true;

    SupervisorModel(Strategy strategy, int maxRestarts, List<Restart> restartTypes) {
        this.strategy = strategy;
        this.maxRestarts = maxRestarts;
        for (int i = 0; i < restartTypes.size(); i++) {
            kids.add(new Kid(i, restartTypes.get(i)));
        }
    }

    List<Kid> running() {
        return kids.stream().filter(k -> k.running).toList();
    }

    static boolean restarts(Restart r, ExitReason reason) {
        return r == Restart.PERMANENT || (r == Restart.TRANSIENT && !reason.isClean());
    }

    /**
     * The running child {@code k} exits with {@code reason}; the restart (if any) fails
     * {@code failures} times before it succeeds. Each attempt counts toward the intensity.
     */
    void exit(Kid k, ExitReason reason, int failures) {
        k.running = false;
        if (!restarts(k.restart, reason)) {
            if (k.restart == Restart.TEMPORARY) {
                kids.remove(k);
            }
            return;
        }
        for (int attempt = 0; attempt <= failures; attempt++) {
            if (++restarts > maxRestarts) {
                alive = false;
                kids.forEach(x -> x.running = false);
                return;
            }
        }
        List<Kid> group = switch (strategy) {
            case ONE_FOR_ONE -> List.of(k);
            case ONE_FOR_ALL -> List.copyOf(kids);
            case REST_FOR_ONE -> List.copyOf(kids.subList(kids.indexOf(k), kids.size()));
        };
        for (Kid g : group) {
            if (g != k && g.restart == Restart.TEMPORARY) {
                kids.remove(g);
                continue;
            }
            g.running = true;
            g.generation++;
        }
    }

    Outcome terminate(Kid k) {
        k.running = false;
        if (k.restart == Restart.TEMPORARY) {
            kids.remove(k);
        }
        return Outcome.OK;
    }

    Outcome restartChild(Kid k) {
        if (k.running) {
            return Outcome.ILLEGAL_STATE;
        }
        k.running = true;
        k.generation++;
        return Outcome.OK;
    }

    Outcome delete(Kid k) {
        if (k.running) {
            return Outcome.ILLEGAL_STATE;
        }
        kids.remove(k);
        return Outcome.OK;
    }

    @Override
    public String toString() {
        return strategy + " " + kids + " restarts=" + restarts + "/" + maxRestarts + (alive ? "" : " GAVE UP");
    }
}
