package dev.chorus.sfu.sdp;

import java.util.regex.Pattern;

/** {@code a=fingerprint:<hash> <value>}: the certificate digest DTLS must match. */
public record Fingerprint(String hashFunction, String value) {
    private static final Pattern HEX_PAIRS = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+");

    /** True for a digest written as colon-separated hex pairs, the only form browsers accept. */
    public boolean isWellFormed() {
        return hashFunction.matches("(?i)sha-(1|224|256|384|512)|md5|md2")
                && HEX_PAIRS.matcher(value).matches();
    }

    @Override
    public String toString() {
        return hashFunction + " " + value;
    }
}
