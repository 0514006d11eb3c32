package dev.chorus.signaling.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.Limits;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.room.Permissions;
import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the claims of a join token whose signature verified (PROTOCOL.md, "Join tokens"): {@code exp}
 * (required), {@code nbf}, {@code room} (a name or a pattern with {@code *}), {@code sub}, {@code name} and
 * {@code perms}. A claim of the wrong shape makes the token invalid rather than being ignored.
 */
final class TokenClaims {

    /** A room name as the join spells it, with {@code *} standing for any run of those characters. */
    private static final Pattern ROOM_PATTERN = Pattern.compile("[A-Za-z0-9_*-]{1," + Limits.MAX_ROOM_CHARS + "}");

    static final int MAX_IDENTITY_CHARS = 256;

    private static final List<String> KINDS = List.of("audio", "video", "screen");

    private static final List<String> PERMS = List.of("publish", "subscribe", "chat", "moderate", "record", "hidden");

    private TokenClaims() {}

    static void checkTimes(JWTClaimsSet claims, long nowMillis, long skewMillis) throws ProtocolException {
        Date exp;
        Date nbf;
        try {
            exp = claims.getExpirationTime();
            nbf = claims.getNotBeforeTime();
        } catch (RuntimeException e) {
            throw invalid("exp and nbf must be NumericDate (seconds since 1970)");
        }
        if (exp == null) {
            throw invalid("the token has no expiry (claim 'exp' is required)");
        }
        if (exp.getTime() + skewMillis <= nowMillis) {
            throw TokenVerifier.fail(ErrorCode.TOKEN_EXPIRED, "the token has expired");
        }
        if (nbf != null && nbf.getTime() - skewMillis > nowMillis) {
            throw invalid("the token is not valid yet (nbf)");
        }
    }

    static String room(JWTClaimsSet claims) throws ProtocolException {
        String room = string(claims, "room", Limits.MAX_ROOM_CHARS);
        if (room == null || !ROOM_PATTERN.matcher(room).matches()) {
            throw invalid("claim 'room' must be a room name, or a pattern with * such as team-*");
        }
        return room;
    }

    /** Whether {@code room} is {@code pattern}, each {@code *} matching any run of characters (none too). */
    static boolean roomMatches(String pattern, String room) {
        // Greedy, going back only to the last '*' seen: at worst the product of the two lengths. The regex
        // this replaces backtracked exponentially in the number of stars; fuzzing found a 48-character
        // pattern of stars that held the event loop for 39 s on one join.
        int p = 0;
        int r = 0;
        int star = -1;
        int resumeAt = 0;
        while (r < room.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resumeAt = r;
            } else if (p < pattern.length() && pattern.charAt(p) == room.charAt(r)) {
                p++;
                r++;
            } else if (star >= 0) {
                p = star + 1;
                r = ++resumeAt;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    static Grant grant(JWTClaimsSet claims, int maxNameChars) throws ProtocolException {
        String identity = string(claims, "sub", MAX_IDENTITY_CHARS);
        String name = string(claims, "name", Integer.MAX_VALUE);
        if (name != null) {
            name = name.strip();
            if (name.isEmpty()
                    || name.codePointCount(0, name.length()) > maxNameChars
                    || name.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029')) {
                throw invalid("claim 'name' must be 1-" + maxNameChars + " characters, without control characters");
            }
        }
        return new Grant(identity, name, permissions(claims.getClaim("perms")));
    }

    private static Permissions permissions(Object value) throws ProtocolException {
        if (value == null) {
            return Permissions.OPEN;
        }
        if (!(value instanceof Map<?, ?> perms)) {
            throw invalid("claim 'perms' must be an object");
        }
        for (Object key : perms.keySet()) {
            if (!PERMS.contains(key)) {
                throw invalid("claim 'perms' has an unknown key '" + clip(String.valueOf(key)) + "'");
            }
        }
        boolean audio = true;
        boolean video = true;
        boolean screen = true;
        Object publish = perms.get("publish");
        if (publish != null) {
            if (!(publish instanceof List<?> kinds) || !KINDS.containsAll(kinds)) {
                throw invalid("perms.publish must be a list of \"audio\", \"video\", \"screen\"");
            }
            audio = kinds.contains("audio");
            video = kinds.contains("video");
            screen = kinds.contains("screen");
        }
        return new Permissions(
                audio,
                video,
                screen,
                flag(perms, "subscribe", true),
                flag(perms, "chat", true),
                flag(perms, "moderate", false),
                flag(perms, "record", false),
                flag(perms, "hidden", false));
    }

    private static boolean flag(Map<?, ?> perms, String key, boolean absent) throws ProtocolException {
        Object value = perms.get(key);
        if (value == null) {
            return absent;
        }
        if (!(value instanceof Boolean b)) {
            throw invalid("perms." + key + " must be true or false");
        }
        return b;
    }

    private static String string(JWTClaimsSet claims, String claim, int maxChars) throws ProtocolException {
        String value;
        try {
            value = claims.getStringClaim(claim);
        } catch (ParseException e) {
            throw invalid("claim '" + claim + "' must be a string");
        }
        if (value != null && value.length() > maxChars) {
            throw invalid("claim '" + claim + "' is longer than " + maxChars + " characters");
        }
        return value;
    }

    private static ProtocolException invalid(String message) {
        return TokenVerifier.fail(ErrorCode.TOKEN_INVALID, message);
    }

    /** Keeps a string from the token short in error messages. */
    static String clip(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
