package io.otpj.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import org.jgroups.JChannel;
import org.jgroups.protocols.BARRIER;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.SHARED_LOOPBACK;
import org.jgroups.protocols.SHARED_LOOPBACK_PING;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;

/** Builds the JGroups channel for a {@link ClusterOptions.Stack}. */
final class Stacks {

    private Stacks() {}

    static JChannel channel(ClusterOptions.Stack stack, SecretKey key) {
        try {
            return switch (stack) {
                case ClusterOptions.SharedLoopback s -> new JChannel(encrypted(sharedLoopback(), key));
                case ClusterOptions.Tcp t -> new JChannel(encrypted(tcp(t), key));
                case ClusterOptions.Xml x -> {
                    if (!java.nio.file.Files.isRegularFile(x.file())) {
                        throw new IllegalArgumentException("JGroups configuration " + x.file() + " is not a readable file");
                    }
                    yield new JChannel(x.file().toString());
                }
            };
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot build the JGroups stack " + stack + ": " + e.getMessage(), e);
        }
    }

    /**
     * With a key: SYM_ENCRYPT right under NAKACK2, as JGroups places it, so every message above
     * discovery and failure detection (joins, views, otpj's frames) is encrypted.
     */
    private static List<Protocol> encrypted(List<Protocol> ps, SecretKey key) {
        if (key == null) {
            return ps;
        }
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i) instanceof NAKACK2) {
                ps.add(i, new SYM_ENCRYPT().setSecretKey(key).symAlgorithm("AES/CBC/PKCS5Padding").symIvLength(16));
                return ps;
            }
        }
        throw new IllegalStateException("no NAKACK2 in the stack");
    }

    private static List<Protocol> sharedLoopback() {
        List<Protocol> ps = new ArrayList<>();
        ps.add(new SHARED_LOOPBACK());
        ps.add(new DISCARD()); // inactive unless a test cuts the node off
        ps.add(new SHARED_LOOPBACK_PING());
        ps.add(new MERGE3().setMinInterval(500).setMaxInterval(1500).setCheckInterval(2000));
        ps.add(new FD_ALL3().setTimeout(2000).setInterval(400));
        ps.add(new VERIFY_SUSPECT2().setTimeout(300));
        ps.add(new NAKACK2().useMcastXmit(false));
        ps.add(new UNICAST3());
        ps.add(new STABLE());
        ps.add(new GMS().setJoinTimeout(500).printLocalAddress(false));
        ps.add(new FRAG4());
        return ps;
    }

    private static List<Protocol> tcp(ClusterOptions.Tcp t) throws UnknownHostException {
        List<InetSocketAddress> hosts = new ArrayList<>();
        for (String h : t.initialHosts()) {
            int open = h.indexOf('[');
            hosts.add(new InetSocketAddress(h.substring(0, open), Integer.parseInt(h.substring(open + 1, h.length() - 1))));
        }
        List<Protocol> ps = new ArrayList<>();
        TCP tcp = new TCP().setBindAddress(InetAddress.getByName(t.bindAddress())).setBindPort(t.port())
                .setPortRange(t.portRange() - 1);
        tcp.tcpNodelay(true); // JGroups' default leaves Nagle on: a call's request and reply would wait for it
        ps.add(tcp);
        ps.add(new TCPPING().setInitialHosts(hosts).setPortRange(t.portRange() - 1));
        ps.add(new MERGE3().setMinInterval(2000).setMaxInterval(8000));
        ps.add(new FD_SOCK2());
        ps.add(new FD_ALL3().setTimeout(10_000).setInterval(2000));
        ps.add(new VERIFY_SUSPECT2().setTimeout(1500));
        ps.add(new BARRIER());
        ps.add(new NAKACK2().useMcastXmit(false));
        ps.add(new UNICAST3());
        ps.add(new STABLE());
        ps.add(new GMS().setJoinTimeout(2000).printLocalAddress(false));
        ps.add(new UFC());
        ps.add(new MFC());
        ps.add(new FRAG4());
        return ps;
    }
}
