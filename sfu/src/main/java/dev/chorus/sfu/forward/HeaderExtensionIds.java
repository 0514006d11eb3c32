package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.rtp.RtpExtension;
import java.util.Arrays;

/**
 * The header-extension ids one side of a hop negotiated (RFC 8285 ids 1..255; 0 = not
 * negotiated). Immutable; build with {@link #NONE} and {@link #with}.
 */
public final class HeaderExtensionIds {
    public static final HeaderExtensionIds NONE = new HeaderExtensionIds(new int[RtpExtension.values().length]);

    private final int[] idByKind;

    private HeaderExtensionIds(int[] idByKind) {
        this.idByKind = idByKind;
    }

    /** A copy with {@code kind} negotiated as {@code id} (0 removes it). */
    public HeaderExtensionIds with(RtpExtension kind, int id) {
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("extension id out of range: " + id);
        }
        for (RtpExtension other : RtpExtension.values()) {
            if (id != 0 && other != kind && idByKind[other.ordinal()] == id) {
                throw new IllegalArgumentException("extension id " + id + " already used by " + other);
            }
        }
        int[] copy = Arrays.copyOf(idByKind, idByKind.length);
        copy[kind.ordinal()] = id;
        return new HeaderExtensionIds(copy);
    }

    /** The id of {@code kind}, 0 when not negotiated. */
    public int id(RtpExtension kind) {
        return idByKind[kind.ordinal()];
    }

    /** The kind using {@code id}, or null. */
    public RtpExtension kindOf(int id) {
        if (id <= 0) {
            return null;
        }
        for (RtpExtension k : RtpExtension.values()) {
            if (idByKind[k.ordinal()] == id) {
                return k;
            }
        }
        return null;
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        for (RtpExtension k : RtpExtension.values()) {
            if (idByKind[k.ordinal()] != 0) {
                n.put(k.name(), idByKind[k.ordinal()]);
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return toJson().toString();
    }
}
