/**
 * otpj cluster: several otpj nodes as one system, on JGroups ({@link io.otpj.cluster.Cluster}).
 * Only {@code io.otpj.cluster} is exported.
 */
// JGroups 5.4 has no module descriptor, only the Automatic-Module-Name org.jgroups (stable,
// declared in its manifest); none of its types is in this module's API.
@SuppressWarnings("requires-automatic")
module io.otpj.cluster {
    requires transitive io.otpj.core;
    requires org.jgroups;
    requires org.slf4j;

    exports io.otpj.cluster;
}
