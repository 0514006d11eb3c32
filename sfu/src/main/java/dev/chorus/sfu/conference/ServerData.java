package dev.chorus.sfu.conference;

import java.util.List;

/**
 * What became of a message the server sent on the room data relay ({@link MediaService#sendData}), by participant id.
 *
 * @param sent      participants whose channel took it
 * @param noChannel participants addressed that have no relay channel open (no media session yet, or no
 *                  {@code chorus} channel)
 * @param tooLarge  participants whose browser takes no message that large (their {@code a=max-message-size})
 */
public record ServerData(List<String> sent, List<String> noChannel, List<String> tooLarge) {
    /** The sender id recipients see on a message of the server's own; participant ids never take this form. */
    public static final String SENDER = "server";
}
