package dev.chorus.signaling.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The hand-written OpenAPI file and the router's table describe the same operations and error codes. */
class ApiOpenApiTest {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

    @Test
    void everyRouteIsInTheOpenApiFileAndViceVersa() {
        JsonObject openApi = new JsonObject(ApiRoutes.openApiText());
        assertEquals("3.0.3", openApi.getString("openapi"));
        Set<String> documented = new TreeSet<>();
        JsonObject paths = openApi.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            for (String method : paths.getJsonObject(path).fieldNames()) {
                if (METHODS.contains(method)) {
                    documented.add(method.toUpperCase() + " " + path);
                }
            }
        }
        Set<String> routed = ApiRoutes.routes(null, null, null, null).stream()
                .map(r -> r.method().name() + " " + r.path())
                .collect(Collectors.toCollection(TreeSet::new));
        assertFalse(routed.isEmpty());
        assertEquals(routed, documented);
    }

    @Test
    void everyErrorCodeIsInTheOpenApiFileAndViceVersa() {
        JsonArray codes = new JsonObject(ApiRoutes.openApiText())
                .getJsonObject("components")
                .getJsonObject("schemas")
                .getJsonObject("ErrorCode")
                .getJsonArray("enum");
        Set<String> documented = codes.stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new));
        Set<String> defined =
                Arrays.stream(ApiError.values()).map(ApiError::wire).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(defined, documented);
    }
}
