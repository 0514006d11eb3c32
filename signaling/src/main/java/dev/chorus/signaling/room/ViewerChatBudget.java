package dev.chorus.signaling.room;

/**
 * How many chat messages a room's viewers may send together: a token bucket of {@code perSecond} messages a
 * second and bursts of twice that, on the registry's millisecond clock. Each socket has its own rate limit,
 * but a thousand viewers each within theirs could still send every member thousands of messages a second;
 * participants are few ({@code max-participants}) and are not counted here. Confined to the signaling thread.
 */
final class ViewerChatBudget {
    private final double capacity;
    private final double perMilli;
    private double tokens;
    private long lastMillis;

    ViewerChatBudget(int perSecond, long nowMillis) {
        this.capacity = 2.0 * perSecond;
        this.perMilli = perSecond / 1000.0;
        this.tokens = capacity;
        this.lastMillis = nowMillis;
    }

    /** Takes one message's worth; false when the room's viewers have used up their rate. */
    boolean tryTake(long nowMillis) {
        if (nowMillis > lastMillis) {
            tokens = Math.min(capacity, tokens + (nowMillis - lastMillis) * perMilli);
            lastMillis = nowMillis;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
