package dev.chorus.signaling.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;

/**
 * Merges configuration layers: the defaults (every {@code reference.conf} on the classpath:
 * signaling's, and the SFU's for {@code chorus.media}), an optional file, Java system
 * properties and environment variables, in rising precedence. Environment variables are derived from key names
 * ({@code chorus.http.port} is {@code CHORUS_HTTP_PORT}) so every key can be
 * overridden without a list to keep in sync.
 */
public final class ConfigLoader {

    public static final String CONFIG_FILE_ENV = "CHORUS_CONFIG";

    private ConfigLoader() {}

    /**
     * @param configFile an explicit file, or null to use {@code CHORUS_CONFIG} when set
     */
    public static Loaded load(Path configFile, Map<String, String> env, Properties systemProperties) {
        // Unresolved: ConfigFactory.defaultReference() would already hold this JVM's system
        // properties, beneath the file instead of above it.
        Config defaults = ConfigFactory.defaultReferenceUnresolved(ConfigLoader.class.getClassLoader())
                .withOnlyPath("chorus");

        Path file = configFile;
        if (file == null
                && env.get(CONFIG_FILE_ENV) != null
                && !env.get(CONFIG_FILE_ENV).isBlank()) {
            file = Path.of(env.get(CONFIG_FILE_ENV));
        }
        Config merged = defaults;
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("configuration file not found: " + file);
            }
            merged = ConfigFactory.parseFile(file.toFile()).withFallback(merged);
        }

        Config props = ConfigFactory.parseProperties(systemProperties);
        if (props.hasPath("chorus")) {
            merged = props.withOnlyPath("chorus").withFallback(merged);
        }

        // The environment goes in before substitutions are resolved, as the other layers do: a default
        // that follows another key (chorus.media.tcp-port = ${chorus.media.port}) follows it set from any layer.
        merged = applyEnvironment(merged, merged.resolve(), env).resolve();
        return new Loaded(ServerConfig.from(merged), file);
    }

    static String envName(String path) {
        return path.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Overrides in {@code config} (unresolved) every key of {@code resolved} that {@code env} sets. */
    private static Config applyEnvironment(Config config, Config resolved, Map<String, String> env) {
        Config result = config;
        for (Map.Entry<String, ConfigValue> entry : resolved.getConfig("chorus").entrySet()) {
            String path = "chorus." + entry.getKey();
            String value = env.get(envName(path));
            if (value == null) {
                continue;
            }
            Object converted = entry.getValue().valueType() == ConfigValueType.LIST
                    ? Arrays.stream(value.split(","))
                            .map(String::trim)
                            .filter(v -> !v.isEmpty())
                            .toList()
                    : value;
            result = result.withValue(
                    path, ConfigValueFactory.fromAnyRef(converted, "environment variable " + envName(path)));
        }
        return result;
    }

    /** The parsed settings and the file they came from (null when only defaults). */
    public record Loaded(ServerConfig config, Path file) {}
}
