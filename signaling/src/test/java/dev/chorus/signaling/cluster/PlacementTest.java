package dev.chorus.signaling.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {

    private static NodeInfo node(String id, int participants, int joinsWaiting, double cpu, boolean draining) {
        return new NodeInfo(
                id,
                "m-" + id,
                "http://" + id,
                "127.0.0.1",
                10000,
                participants,
                1,
                joinsWaiting,
                0,
                cpu,
                draining,
                0,
                "",
                Map.of());
    }

    @Test
    void theNodeWithFewestParticipantsTakesANewRoom() {
        assertEquals(
                "b",
                Placement.choose("a", List.of(node("a", 12, 0, 0.1, false), node("b", 3, 0, 0.1, false)), Map.of()));
    }

    @Test
    void onEqualLoadThisNodeKeepsTheRoomSoNobodyIsRedirected() {
        List<NodeInfo> nodes = List.of(node("a", 5, 0, 0.2, false), node("b", 5, 0, 0.2, false));
        assertEquals("b", Placement.choose("b", nodes, Map.of()));
        assertEquals("a", Placement.choose("a", nodes, Map.of()));
    }

    @Test
    void onEqualParticipantsTheNodeWithLessCpuInUseWins() {
        List<NodeInfo> nodes = List.of(node("a", 5, 0, 0.75, false), node("b", 5, 0, 0.31, false));
        assertEquals("b", Placement.choose("a", nodes, Map.of()));
        // Unknown CPU counts as busiest.
        assertEquals(
                "a", Placement.choose("b", List.of(node("a", 5, 0, 0.9, false), node("b", 5, 0, -1, false)), Map.of()));
    }

    @Test
    void aDrainingNodeGetsNothingAndWithNoLiveNodeThisOneServes() {
        assertEquals(
                "a", Placement.choose("a", List.of(node("a", 40, 0, 0.5, false), node("b", 0, 0, 0, true)), Map.of()));
        assertEquals("a", Placement.choose("a", List.of(), Map.of()));
        assertEquals("a", Placement.choose("a", List.of(node("b", 0, 0, 0, true)), Map.of()));
    }

    @Test
    void queuedJoinsCountAgainstANodeAtItsJoinRateCap() {
        // b has 2 participants but 3 joins waiting (2 + 3 * 4 = 14 > 10).
        assertEquals(
                "a",
                Placement.choose("c", List.of(node("a", 10, 0, 0.1, false), node("b", 2, 3, 0.1, false)), Map.of()));
    }

    @Test
    void aBurstOfNewRoomsWithinOneHeartbeatSpreadsOverTheNodes() {
        List<NodeInfo> nodes =
                List.of(node("a", 0, 0, 0.1, false), node("b", 0, 0, 0.1, false), node("c", 0, 0, 0.1, false));
        Map<String, Integer> placed = new HashMap<>();
        Map<String, Integer> rooms = new HashMap<>();
        for (int i = 0; i < 9; i++) {
            String chosen = Placement.choose("a", nodes, placed);
            placed.merge(chosen, 1, Integer::sum);
            rooms.merge(chosen, 1, Integer::sum);
        }
        assertEquals(Map.of("a", 3, "b", 3, "c", 3), rooms);
    }
}
