package dev.chorus.signaling.auth;

import dev.chorus.signaling.room.Permissions;

/**
 * What a verified join token grants: who joins ({@code identity}, from {@code sub}), under which name, with
 * which permissions. An open server grants {@link #OPEN} to every join.
 *
 * @param identity the token's {@code sub}, or null (open mode, or a token without one)
 * @param name     the token's display name, which wins over the join's; null to use the join's
 */
public record Grant(String identity, String name, Permissions permissions) {

    public static final Grant OPEN = new Grant(null, null, Permissions.OPEN);
}
