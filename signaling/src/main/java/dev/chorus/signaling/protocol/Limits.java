package dev.chorus.signaling.protocol;

import dev.chorus.signaling.config.ServerConfig;

/** The size limits a message parser enforces. */
public record Limits(int maxMessageBytes, int maxNameChars, int maxChatChars) {

  public static final int MAX_ROOM_CHARS = 64;
  public static final int MAX_REQUEST_ID_CHARS = 64;

  public static Limits from(ServerConfig.Signaling signaling) {
    return new Limits(signaling.maxMessageBytes(), signaling.maxNameChars(), signaling.maxChatChars());
  }
}
