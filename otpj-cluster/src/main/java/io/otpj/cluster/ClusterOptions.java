package io.otpj.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.crypto.SecretKey;

/**
 * How a node joins a cluster: the cluster's name, the JGroups stack it runs on, and what may
 * cross nodes. An immutable value; the {@code with...} methods return a copy.
 *
 * @param clusterName the cluster's name: nodes with the same name and a stack that reaches each
 *     other form one cluster
 * @param stack the JGroups stack
 * @param allowlist the records and enums the default codec lets cross nodes
 * @param codec the codec for values crossing nodes; null for {@link TermCodec} with
 *     {@code allowlist}
 * @param joinTimeout how long {@link Cluster#join} waits to connect
 * @param secretKey the AES key every node of the cluster shares, or null for no encryption (see
 *     {@link #withSecret(String)}); never printed
 */
public record ClusterOptions(String clusterName, Stack stack, Allowlist allowlist, Codec codec, Duration joinTimeout,
        SecretKey secretKey) {

    /**
     * Checks the options.
     *
     * @throws NullPointerException if anything but {@code codec} is null
     * @throws IllegalArgumentException if {@code clusterName} is blank, {@code joinTimeout} is
     *     not positive, or a secret key is given with an XML stack (which configures its own)
     */
    public ClusterOptions {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(allowlist, "allowlist");
        Objects.requireNonNull(joinTimeout, "joinTimeout");
        if (clusterName.isBlank()) {
            throw new IllegalArgumentException("cluster name must not be blank");
        }
        if (joinTimeout.isNegative() || joinTimeout.isZero()) {
            throw new IllegalArgumentException("join timeout must be positive: " + joinTimeout);
        }
        if (secretKey != null && stack instanceof Xml) {
            throw new IllegalArgumentException("a secret key cannot be combined with an XML stack: put SYM_ENCRYPT"
                    + " (or ASYM_ENCRYPT and AUTH) in the XML file instead");
        }
        if (secretKey != null && !"AES".equals(secretKey.getAlgorithm())) {
            throw new IllegalArgumentException("the cluster's secret key must be an AES key, not " + secretKey.getAlgorithm());
        }
    }

    /** Redacted: the secret key is never printed, not even as a hash. */
    @Override
    public String toString() {
        return "ClusterOptions[clusterName=" + clusterName + ", stack=" + stack + ", allowlist=" + allowlist + ", codec="
                + (codec == null ? "default" : codec.getClass().getName()) + ", joinTimeout=" + joinTimeout + ", encrypted="
                + (secretKey != null) + "]";
    }

    /**
     * Returns the options for cluster {@code clusterName} with the defaults: the TCP stack on
     * 127.0.0.1 ({@link Stack#tcpLoopback()}), nothing allowed beyond the built-in types, the
     * default codec, a 10 s join timeout.
     *
     * @param clusterName the cluster's name
     * @return the options
     */
    public static ClusterOptions named(String clusterName) {
        return new ClusterOptions(clusterName, Stack.tcpLoopback(), Allowlist.none(), null, Duration.ofSeconds(10), null);
    }

    /**
     * Returns these options on another stack.
     *
     * @param stack the JGroups stack
     * @return a copy with {@code stack}
     */
    public ClusterOptions withStack(Stack stack) {
        return new ClusterOptions(clusterName, stack, allowlist, codec, joinTimeout, secretKey);
    }

    /**
     * Returns these options with {@code types} allowed to cross nodes.
     *
     * @param types record or enum classes
     * @return a copy that allows them too
     * @throws IllegalArgumentException if a type is neither a record nor an enum
     */
    public ClusterOptions allow(Class<?>... types) {
        return new ClusterOptions(clusterName, stack, allowlist.allow(types), codec, joinTimeout, secretKey);
    }

    /**
     * Returns these options with every record and enum of a package allowed to cross nodes.
     *
     * @param packageName the package
     * @return a copy that allows it too
     */
    public ClusterOptions allowPackage(String packageName) {
        return new ClusterOptions(clusterName, stack, allowlist.allowPackage(packageName), codec, joinTimeout, secretKey);
    }

    /**
     * Returns these options with a codec of one's own.
     *
     * @param codec the codec every node of the cluster uses
     * @return a copy with {@code codec}
     */
    public ClusterOptions withCodec(Codec codec) {
        return new ClusterOptions(clusterName, stack, allowlist, Objects.requireNonNull(codec, "codec"), joinTimeout, secretKey);
    }

    /**
     * Returns these options with another join timeout.
     *
     * @param joinTimeout how long a join waits
     * @return a copy with {@code joinTimeout}
     */
    public ClusterOptions withJoinTimeout(Duration joinTimeout) {
        return new ClusterOptions(clusterName, stack, allowlist, codec, joinTimeout, secretKey);
    }

    /**
     * Returns these options with the cluster's traffic encrypted and its membership closed: every
     * message (otpj's and JGroups' own, joins and views included) is encrypted with AES-256 in CBC
     * mode (JGroups' {@code SYM_ENCRYPT}) under a key derived from {@code passphrase} and the
     * cluster's name (PBKDF2-HMAC-SHA256, 210,000 iterations). A node without the same passphrase
     * cannot read the traffic, and its join request cannot be read: it does not join (it forms a
     * cluster of its own). The passphrase is not kept and never printed.
     *
     * @param passphrase the secret every node of the cluster is started with (at least 16 chars)
     * @return a copy with encryption on
     * @throws IllegalArgumentException if {@code passphrase} is shorter than 16 characters
     */
    public ClusterOptions withSecret(String passphrase) {
        Objects.requireNonNull(passphrase, "passphrase");
        if (passphrase.length() < 16) {
            throw new IllegalArgumentException("the cluster secret must have at least 16 characters");
        }
        try {
            byte[] salt = ("otpj-cluster:" + clusterName).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            javax.crypto.spec.PBEKeySpec spec = new javax.crypto.spec.PBEKeySpec(passphrase.toCharArray(), salt, 210_000, 256);
            byte[] key = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            spec.clearPassword();
            return withSecretKey(new javax.crypto.spec.SecretKeySpec(key, "AES"));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot derive the cluster key: " + e.getMessage(), e);
        }
    }

    /**
     * Returns these options with the cluster's traffic encrypted under {@code key} (an AES key of
     * 128, 192 or 256 bits every node shares), as {@link #withSecret(String)} does.
     *
     * @param key the key
     * @return a copy with encryption on
     */
    public ClusterOptions withSecretKey(SecretKey key) {
        return new ClusterOptions(clusterName, stack, allowlist, codec, joinTimeout, Objects.requireNonNull(key, "key"));
    }

    /**
     * The JGroups protocol stack a node runs on. Every one of them gives what otpj relies on:
     * membership views, failure detection, merge after a partition, and reliable FIFO delivery
     * between each pair of members (UNICAST3).
     */
    public sealed interface Stack {

        /**
         * All nodes in one JVM, with no network ({@code SHARED_LOOPBACK}): for tests. Failure
         * detection within about 2 s; a {@code DISCARD} protocol above the transport lets a test
         * cut a node off.
         *
         * @return the in-JVM stack
         */
        static Stack sharedLoopback() {
            return new SharedLoopback();
        }

        /**
         * TCP on 127.0.0.1, every node on one of the ports 7800–7819, discovered by trying them
         * all: several JVMs on one machine with no configuration. A JVM that dies is noticed at
         * once (its sockets close), one that hangs within about 10 s.
         *
         * @return the loopback TCP stack
         */
        static Stack tcpLoopback() {
            return new Tcp("127.0.0.1", 7800, 20, List.of("127.0.0.1[7800]"));
        }

        /**
         * TCP on a LAN: this node binds {@code bindAddress} on the first free port from
         * {@code port} (trying {@code portRange} ports), and finds the others at
         * {@code initialHosts} ({@code host[port]}, each tried over the same port range).
         *
         * @param bindAddress the address to bind
         * @param port the first port to try
         * @param portRange how many ports to try from {@code port}
         * @param initialHosts where the other nodes may be, as {@code host[port]}
         * @return the TCP stack
         */
        static Stack tcp(String bindAddress, int port, int portRange, List<String> initialHosts) {
            return new Tcp(bindAddress, port, portRange, initialHosts);
        }

        /**
         * A JGroups XML configuration of one's own (to add {@code AUTH} or encryption, or tune
         * failure detection). It must include UNICAST3 (or another reliable FIFO unicast) and
         * GMS.
         *
         * @param file the XML file
         * @return the stack
         */
        static Stack xml(Path file) {
            return new Xml(file);
        }
    }

    /** See {@link Stack#sharedLoopback()}. */
    public record SharedLoopback() implements Stack {}

    /**
     * See {@link Stack#tcp}.
     *
     * @param bindAddress the address to bind
     * @param port the first port to try
     * @param portRange how many ports to try
     * @param initialHosts where other nodes may be, {@code host[port]}
     */
    public record Tcp(String bindAddress, int port, int portRange, List<String> initialHosts) implements Stack {
        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException if the port or range is out of bounds, or a host is not
         *     {@code host[port]}
         */
        public Tcp {
            Objects.requireNonNull(bindAddress, "bindAddress");
            initialHosts = List.copyOf(initialHosts);
            if (port < 1 || port > 65535 || portRange < 1 || port + portRange - 1 > 65535) {
                throw new IllegalArgumentException("bad port " + port + " with range " + portRange);
            }
            for (String h : initialHosts) {
                if (!h.matches("[^\\[\\]]+\\[\\d{1,5}]")) {
                    throw new IllegalArgumentException("initial host must be host[port]: " + h);
                }
            }
        }
    }

    /**
     * See {@link Stack#xml}.
     *
     * @param file the JGroups XML configuration
     */
    public record Xml(Path file) implements Stack {
        /**
         * Checks the value.
         *
         * @throws NullPointerException if {@code file} is null
         */
        public Xml {
            Objects.requireNonNull(file, "file");
        }
    }
}
