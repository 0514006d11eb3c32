package dev.chorus.signaling.cluster;

import java.util.Set;
import java.util.function.Consumer;

/**
 * The cluster's membership as its engine (Hazelcast) sees it: which members are connected now, and word when one
 * leaves. A killed node's connections close at once, so its departure is known long before its directory entries
 * expire; the directory uses this to stop sending joins to it.
 */
public interface ClusterMembers {

    /** This process's member id. */
    String selfId();

    /** The ids of the members connected now (this one included). */
    Set<String> ids();

    /** Calls {@code removed} with the id of each member that leaves, on a thread of the engine's. */
    void onRemoved(Consumer<String> removed);
}
