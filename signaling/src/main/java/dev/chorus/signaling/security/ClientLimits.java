package dev.chorus.signaling.security;

import dev.chorus.sfu.transport.CidrRange;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.room.TokenBucket;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Limits per client address ({@code chorus.security}): WebSocket connections open at once, new connections and joins
 * per second (token buckets with a burst). Loopback and the other {@code limits-exempt} ranges skip them. An
 * address's state outlives its connections for a while ({@link #IDLE_NANOS}), so closing and reopening does not
 * refill its buckets; {@link #sweep} forgets idle ones, and at most {@link #MAX_ADDRESSES} are tracked (beyond that a
 * new address is refused until the sweep makes room, rather than letting the table grow). Refusals are counted by
 * reason for {@code /debug}. Signaling thread only.
 */
public final class ClientLimits {
    /** Why a connection or a join was refused. */
    public enum Refusal {
        TOO_MANY_CONNECTIONS("too_many_connections"),
        CONNECTION_RATE("connection_rate"),
        JOIN_RATE("join_rate"),
        TOO_MANY_ADDRESSES("too_many_addresses");

        private final String wire;

        Refusal(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    static final long IDLE_NANOS = 60_000_000_000L;
    static final int MAX_ADDRESSES = 100_000;

    private final ServerConfig.Security config;
    private final List<CidrRange> exempt;
    private final Map<String, Address> addresses = new HashMap<>();
    private final long[] refusals = new long[Refusal.values().length];

    public ClientLimits(ServerConfig.Security config) {
        this.config = config;
        this.exempt = config.limitsExempt().stream().map(CidrRange::parse).toList();
    }

    private static final class Address {
        final TokenBucket connections;
        final TokenBucket joins;
        int open;
        long lastSeenNanos;

        Address(ServerConfig.Security c, long nowNanos) {
            connections = new TokenBucket(c.connectionsPerIpPerSecond(), c.connectionsPerIpBurst(), nowNanos);
            joins = new TokenBucket(c.joinsPerIpPerSecond(), c.joinsPerIpBurst(), nowNanos);
        }
    }

    /** A new connection from {@code ip} (a literal address): null when it may open, else why not. */
    public Refusal tryConnect(String ip, long nowNanos) {
        if (isExempt(ip)) {
            return null;
        }
        Address a = addresses.get(ip);
        if (a == null) {
            if (addresses.size() >= MAX_ADDRESSES) {
                return refuse(Refusal.TOO_MANY_ADDRESSES);
            }
            a = new Address(config, nowNanos);
            addresses.put(ip, a);
        }
        a.lastSeenNanos = nowNanos;
        if (a.open >= config.maxConnectionsPerIp()) {
            return refuse(Refusal.TOO_MANY_CONNECTIONS);
        }
        if (!a.connections.tryTake(nowNanos)) {
            return refuse(Refusal.CONNECTION_RATE);
        }
        a.open++;
        return null;
    }

    /** A connection {@link #tryConnect} let in has closed. */
    public void release(String ip, long nowNanos) {
        Address a = addresses.get(ip);
        if (a != null && a.open > 0) {
            a.open--;
            a.lastSeenNanos = nowNanos;
        }
    }

    /** A join from {@code ip}: true when within its rate. */
    public boolean tryJoin(String ip, long nowNanos) {
        if (isExempt(ip)) {
            return true;
        }
        Address a = addresses.get(ip);
        if (a == null) {
            return true; // not a connection this class let in (cannot happen): nothing to hold it to
        }
        a.lastSeenNanos = nowNanos;
        if (!a.joins.tryTake(nowNanos)) {
            refuse(Refusal.JOIN_RATE);
            return false;
        }
        return true;
    }

    /** Forgets addresses with no connection that have been idle for a while. */
    public void sweep(long nowNanos) {
        for (Iterator<Address> it = addresses.values().iterator(); it.hasNext(); ) {
            Address a = it.next();
            if (a.open == 0 && nowNanos - a.lastSeenNanos >= IDLE_NANOS) {
                it.remove();
            }
        }
    }

    public long refusals(Refusal reason) {
        return refusals[reason.ordinal()];
    }

    int trackedAddresses() {
        return addresses.size();
    }

    private Refusal refuse(Refusal reason) {
        refusals[reason.ordinal()]++;
        return reason;
    }

    private boolean isExempt(String ip) {
        return CidrRange.anyContains(exempt, ip);
    }

    /** Addresses tracked and refusals by reason, for {@code /debug}. */
    public JsonObject toJson() {
        JsonObject refused = new JsonObject();
        for (Refusal r : Refusal.values()) {
            refused.put(r.wire(), refusals[r.ordinal()]);
        }
        return new JsonObject().put("addressesTracked", addresses.size()).put("refused", refused);
    }
}
