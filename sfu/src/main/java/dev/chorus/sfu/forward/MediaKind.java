package dev.chorus.sfu.forward;

public enum MediaKind {
    AUDIO,
    VIDEO
}
