package dev.chorus.sfu.forward;

/** Why the SFU asked a publisher for a keyframe; counted per producer in its /debug dump. */
public enum KeyframeRequestKind {
    /** A video consumer was added and starts on a keyframe. */
    NEW_SUBSCRIPTION,
    /** A paused video consumer was resumed. */
    RESUME,
    /** Video paused for bandwidth was resumed (the estimate grew or a probe found room). */
    BANDWIDTH_RESUME,
    /** A subscriber sent a PLI for its consumer. */
    SUBSCRIBER_PLI,
    /** A subscriber sent a FIR for its consumer. */
    SUBSCRIBER_FIR,
    /** A consumer still waits for its keyframe on the report tick (the PLI or the keyframe got lost). */
    WAITING_RETRY,
    /** Uplink loss the SFU could not recover: NACKs to the publisher ran out of retries or time. */
    UNRECOVERABLE_LOSS,
    /** A consumer's target simulcast layer changed: it switches on that layer's next keyframe. */
    LAYER_SWITCH,
    /** A video came back into a subscriber's last-N selection. */
    SELECTED,
    /**
     * A participant's network path changed (ICE restart): what was in flight to it, or from it, is lost, so the
     * videos it receives and the consumers of what it publishes restart on a keyframe.
     */
    PATH_CHANGED,
    /** An AV1 stream's packets name a dependency structure the SFU lacks (its key frame was missed). */
    DEPENDENCY_STRUCTURE,
    /** A room recording starts this video (or lost a frame of it) and its file goes on from a keyframe. */
    RECORDING,
    /** Another cluster node that relays this video to its own subscribers asked for it (their PLI, one hop on). */
    RELAY
}
