package dev.chorus.sfu.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.LongPredicate;
import java.util.function.Predicate;

/**
 * One section of the configuration (e.g. {@code chorus.media}) with getters that check each value and fail
 * with a message naming its key. The settings classes read their own keys through it
 * ({@code TransportConfig.from}, {@code RouterConfig.from} ...), next to the code that uses them; the defaults
 * are in this module's {@code reference.conf}. Immutable; read at start-up, never on a packet thread.
 */
public final class CheckedConfig {
    /** Where the media settings sit in the configuration. */
    public static final String MEDIA = "chorus.media";

    private final Config config;
    private final String path;

    private CheckedConfig(Config root, String path) {
        this.config = root.withOnlyPath(path);
        this.path = path;
    }

    /** The section {@code path} of a resolved configuration that holds every key of it. */
    public static CheckedConfig of(Config root, String path) {
        return new CheckedConfig(root, path);
    }

    /** {@code chorus.media} as reference.conf has it: the defaults alone. */
    public static CheckedConfig mediaReference() {
        return Reference.MEDIA_DEFAULTS;
    }

    private static final class Reference {
        static final CheckedConfig MEDIA_DEFAULTS = of(
                ConfigFactory.defaultReferenceUnresolved(CheckedConfig.class.getClassLoader())
                        .withOnlyPath(MEDIA)
                        .resolve(),
                MEDIA);
    }

    /** The full key of {@code name} in this section, as error messages and operators spell it. */
    public String key(String name) {
        return path + "." + name;
    }

    public int integer(String name) {
        return config.getInt(key(name));
    }

    public int integer(String name, IntPredicate valid, String rule) {
        int value = config.getInt(key(name));
        require(valid.test(value), key(name) + " " + rule);
        return value;
    }

    public long longValue(String name, LongPredicate valid, String rule) {
        long value = config.getLong(key(name));
        require(valid.test(value), key(name) + " " + rule);
        return value;
    }

    public long millis(String name, LongPredicate valid, String rule) {
        long value = config.getDuration(key(name)).toMillis();
        require(valid.test(value), key(name) + " " + rule);
        return value;
    }

    public Duration duration(String name, Predicate<Duration> valid, String rule) {
        Duration value = config.getDuration(key(name));
        require(valid.test(value), key(name) + " " + rule);
        return value;
    }

    public String string(String name, Predicate<String> valid, String rule) {
        String value = config.getString(key(name));
        require(valid.test(value), key(name) + " " + rule);
        return value;
    }

    public String string(String name) {
        return config.getString(key(name));
    }

    public boolean bool(String name) {
        return config.getBoolean(key(name));
    }

    public List<String> stringList(String name) {
        return config.getStringList(key(name));
    }

    /** Fails start-up with a message naming the key, rather than misbehaving later. */
    public static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid configuration: " + message);
        }
    }

    /** Every key and its value, sorted, for the start-up log. */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", path + " {", "}");
        Map<String, ConfigValue> sorted = new TreeMap<>();
        config.getConfig(path).entrySet().forEach(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.forEach((k, v) -> out.add(k + "=" + v.unwrapped()));
        return out.toString();
    }
}
