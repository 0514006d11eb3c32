package dev.chorus.sfu.sdp;

/** Number parsing that reports what was expected and where, instead of NumberFormatException. */
final class SdpNumbers {
    private SdpNumbers() {}

    static int parseInt(String token, int min, int max, String what, int line) throws SdpException {
        long value = parseLong(token, min, max, what, line);
        return (int) value;
    }

    static long parseLong(String token, long min, long max, String what, int line) throws SdpException {
        // Digits only: Long.parseLong would also take "+5" and "-0".
        if (token.isEmpty() || token.length() > 19 || !token.chars().allMatch(Character::isDigit)) {
            throw SdpException.atLine(line, what + " '" + token + "' is not a number");
        }
        long value = Long.parseLong(token);
        if (value < min || value > max) {
            throw SdpException.atLine(line, what + " " + value + " is outside " + min + ".." + max);
        }
        return value;
    }
}
