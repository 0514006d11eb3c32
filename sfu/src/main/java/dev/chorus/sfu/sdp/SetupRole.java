package dev.chorus.sfu.sdp;

import java.util.Locale;
import java.util.Optional;

/** {@code a=setup} (RFC 4145 / 8842): who opens the DTLS connection. */
public enum SetupRole {
    ACTIVE,
    PASSIVE,
    ACTPASS,
    HOLDCONN;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<SetupRole> fromToken(String token) {
        for (SetupRole role : values()) {
            if (role.token().equalsIgnoreCase(token)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
