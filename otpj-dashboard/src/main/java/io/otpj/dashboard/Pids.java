package io.otpj.dashboard;

import io.otpj.core.Node;
import io.otpj.core.NodeProcess;
import java.util.Optional;

/** Pids as the page writes them ({@code <node.id.creation>}, as {@link io.otpj.core.Pid#toString}). Stateless. */
final class Pids {

    private Pids() {}

    /** The node part of a pid's text (node names may hold dots: the last two fields are id and creation). */
    static String nodeOf(String pid) {
        if (pid.length() < 2 || pid.charAt(0) != '<' || pid.charAt(pid.length() - 1) != '>') {
            return "";
        }
        String inner = pid.substring(1, pid.length() - 1);
        int last = inner.lastIndexOf('.');
        int mid = last < 0 ? -1 : inner.lastIndexOf('.', last - 1);
        return mid < 0 ? "" : inner.substring(0, mid);
    }

    /** The live process of {@code node} whose pid reads {@code text}, if any. */
    static Optional<NodeProcess> find(Node node, String text) {
        if (text == null || text.length() > 300) {
            return Optional.empty();
        }
        for (NodeProcess p : node.list()) {
            if (p.pid().toString().equals(text)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
