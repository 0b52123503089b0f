package io.otpj.cluster;

/**
 * The messages a process gets after {@link Cluster#monitorNodes(boolean)}, as Erlang's
 * {@code {nodeup, Node}} and {@code {nodedown, Node}}: one {@link Up} when a node connects, one
 * {@link Down} when it is lost (it left, crashed or is cut off). For one node they alternate,
 * starting with {@code Up}.
 */
public sealed interface NodeEvent {

    /**
     * The node's name.
     *
     * @return the name of the node the event is about
     */
    String node();

    /**
     * A node connected.
     *
     * @param node its name
     */
    record Up(String node) implements NodeEvent {}

    /**
     * A node was lost: every monitor on its processes has fired {@code noconnection}.
     *
     * @param node its name
     */
    record Down(String node) implements NodeEvent {}
}
