package dev.chorus.signaling.api;

import dev.chorus.signaling.config.ServerConfig;

/**
 * The server API's bearer token check, for the other endpoints that a client off loopback may reach only with
 * credentials ({@code /debug}, {@code /metrics}). Immutable.
 */
public final class ApiCredentials {
    private final ApiAuth auth;

    public ApiCredentials(ServerConfig.Api api) {
        this.auth = api.enabled() ? new ApiAuth(api) : null;
    }

    /** Whether {@code authorization} (the request's header, or null) carries a valid API token now. */
    public boolean accepts(String authorization, long nowMillis) {
        if (auth == null) {
            return false;
        }
        try {
            auth.check(authorization, nowMillis);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }
}
