package dev.isthmus.proxy.config;

import org.snakeyaml.engine.v2.nodes.Node;

/** A cluster name used by a route or tcp listener, kept until every cluster is read so it can be checked. */
record ClusterReference(String name, Node node, String field) {
}
