/**
 * Cluster mode ({@code chorus.cluster}, off by default): Vert.x clustered over Hazelcast
 * ({@link dev.chorus.signaling.cluster.ClusteredVertx}), each node's entry and load
 * ({@link dev.chorus.signaling.cluster.LocalNode}, {@link dev.chorus.signaling.cluster.NodeInfo}), the cluster-wide
 * directory of nodes and rooms that routes each join to its room's node
 * ({@link dev.chorus.signaling.cluster.ClusterDirectory}), and where a new room goes
 * ({@link dev.chorus.signaling.cluster.Placement}). Everything here runs on the signaling thread; nothing touches
 * media.
 */
package dev.chorus.signaling.cluster;
