package dev.chorus.signaling.room;

import java.security.SecureRandom;
import java.util.function.Supplier;

/** Random participant ids: 'p' and 11 base-36 characters, unguessable enough to be handed out. */
public final class ParticipantIds implements Supplier<String> {

    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
    private final SecureRandom random = new SecureRandom();

    @Override
    public String get() {
        char[] id = new char[12];
        id[0] = 'p';
        for (int i = 1; i < id.length; i++) {
            id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(id);
    }
}
