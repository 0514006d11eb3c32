package dev.chorus.testkit.netsim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which impairment each flow gets: the defaults, unless a rule for the flow's ICE server ufrag (the USERNAME's part
 * before ':') says otherwise; a later rule wins. Rules change from any thread; flows are added and learn their
 * USERNAME on the receiving thread. One lock covers all three, so every flow always has the impairment the current
 * rules give it.
 */
final class ImpairmentRules {

    private record Rule(String serverUfrag, Impairment toServer, Impairment toClient) {}

    private final Object lock = new Object();
    private final Map<InetSocketAddress, ProxyFlow> flows;
    private Impairment defaultToServer = Impairment.NONE;
    private Impairment defaultToClient = Impairment.NONE;
    private final List<Rule> rules = new ArrayList<>();

    /** @param flows the proxy's open flows, which every rule change re-resolves */
    ImpairmentRules(Map<InetSocketAddress, ProxyFlow> flows) {
        this.flows = flows;
    }

    void setDefault(Impairment toServer, Impairment toClient) {
        synchronized (lock) {
            defaultToServer = orNone(toServer);
            defaultToClient = orNone(toClient);
            resolveAll();
        }
    }

    void setForIceUfrag(String serverUfrag, Impairment toServer, Impairment toClient) {
        synchronized (lock) {
            rules.removeIf(r -> r.serverUfrag.equals(serverUfrag));
            rules.add(new Rule(serverUfrag, orNone(toServer), orNone(toClient)));
            resolveAll();
        }
    }

    void clear() {
        synchronized (lock) {
            rules.clear();
            resolveAll();
        }
    }

    /** Makes a new flow one of the proxy's flows, with the impairment the rules give it. */
    void add(ProxyFlow f) {
        synchronized (lock) {
            flows.put(f.client, f);
            resolve(f);
        }
    }

    /** The flow's client sent a STUN USERNAME: a ufrag rule may apply to it now. */
    void setIceUsername(ProxyFlow f, String user) {
        synchronized (lock) {
            f.iceUsername = user;
            resolve(f);
        }
    }

    /** Adds "default" and "rules" to the proxy's diagnostics. */
    void toJson(ObjectNode n) {
        synchronized (lock) {
            ObjectNode d = n.putObject("default");
            d.put("toServer", defaultToServer.toSpec());
            d.put("toClient", defaultToClient.toSpec());
            ArrayNode rs = n.putArray("rules");
            for (Rule r : rules) {
                ObjectNode rn = rs.addObject();
                rn.put("serverUfrag", r.serverUfrag);
                rn.put("toServer", r.toServer.toSpec());
                rn.put("toClient", r.toClient.toSpec());
            }
        }
    }

    private static Impairment orNone(Impairment i) {
        return i == null ? Impairment.NONE : i;
    }

    private void resolveAll() {
        for (ProxyFlow f : flows.values()) {
            resolve(f);
        }
    }

    /** Caller holds the lock. */
    private void resolve(ProxyFlow f) {
        Impairment ts = defaultToServer;
        Impairment tc = defaultToClient;
        String user = f.iceUsername;
        if (user != null) {
            for (Rule r : rules) {
                if (user.length() > r.serverUfrag.length()
                        && user.startsWith(r.serverUfrag)
                        && user.charAt(r.serverUfrag.length()) == ':') {
                    ts = r.toServer;
                    tc = r.toClient;
                }
            }
        }
        f.toServer.link.setImpairment(ts);
        f.toClient.link.setImpairment(tc);
    }
}
