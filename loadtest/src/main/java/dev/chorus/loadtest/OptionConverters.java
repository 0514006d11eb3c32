package dev.chorus.loadtest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How the text of each option becomes its value, range check included; picocli calls these while parsing, in
 * command-line order. A message continues the option's name ("must be between 1 and 1000, got 0"): picocli
 * knows which option failed and {@link LoadTestCommandLine} puts its name in front. Each small subclass is the
 * range of one kind of option, so the bounds sit next to the option that names the class.
 */
final class OptionConverters {
    private OptionConverters() {}

    /** A whole number within [min, max]. */
    abstract static class WholeNumber implements ITypeConverter<Integer> {
        private final int min;
        private final int max;

        WholeNumber(int min, int max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public Integer convert(String value) {
            return wholeNumber("", value, min, max);
        }
    }

    static final class RoomCount extends WholeNumber {
        RoomCount() {
            super(1, LoadTestConfig.MAX_ROOMS);
        }
    }

    static final class PublisherCount extends WholeNumber {
        PublisherCount() {
            super(1, LoadTestConfig.MAX_PER_ROOM);
        }
    }

    static final class SubscriberCount extends WholeNumber {
        SubscriberCount() {
            super(0, LoadTestConfig.MAX_PER_ROOM);
        }
    }

    /** The protocol's bound on {@code view} lastN ({@code signaling/PROTOCOL.md}). */
    static final class LastN extends WholeNumber {
        LastN() {
            super(1, 256);
        }
    }

    static final class StepCount extends WholeNumber {
        StepCount() {
            super(1, LoadTestConfig.MAX_STEPS);
        }
    }

    static final class PagesPerBrowser extends WholeNumber {
        PagesPerBrowser() {
            super(1, LoadTestConfig.MAX_PAGES_PER_BROWSER);
        }
    }

    static final class ProcessId extends WholeNumber {
        ProcessId() {
            super(1, Integer.MAX_VALUE);
        }
    }

    static final class UdpPort extends WholeNumber {
        UdpPort() {
            super(1, 65535);
        }
    }

    /** Any whole number that fits a long (the proxy's random seed). */
    static final class Seed implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be a whole number, not '" + value + "'");
            }
        }
    }

    /** A decimal number within [min, max]. */
    abstract static class Decimal implements ITypeConverter<Double> {
        private final double min;
        private final double max;

        Decimal(double min, double max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public Double convert(String value) {
            double v;
            try {
                v = Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be a number, not '" + value + "'");
            }
            if (!(v >= min && v <= max)) {
                throw new TypeConversionException("must be between " + min + " and " + max + ", got " + value);
            }
            return v;
        }
    }

    static final class Percent extends Decimal {
        Percent() {
            super(0, 100);
        }
    }

    static final class LatencyLimitMillis extends Decimal {
        LatencyLimitMillis() {
            super(0.1, 60_000);
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

    /** "500ms", "30s" (or "30"), "5m", "1h", within [min, max]. */
    abstract static class BoundedDuration implements ITypeConverter<Duration> {
        private final Duration min;
        private final Duration max;

        BoundedDuration(Duration min, Duration max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("must be a duration like 500ms, 30s, 5m or 1h, not '" + value + "'");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            Duration d = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new TypeConversionException(
                        "must be between " + text(min) + " and " + text(max) + ", got " + value);
            }
            return d;
        }

        private static String text(Duration d) {
            return d.toString().substring(2).toLowerCase(Locale.ROOT); // PT24H -> 24h
        }
    }

    static final class RunDuration extends BoundedDuration {
        RunDuration() {
            super(Duration.ofSeconds(1), LoadTestConfig.MAX_DURATION);
        }
    }

    static final class RampUp extends BoundedDuration {
        RampUp() {
            super(Duration.ZERO, LoadTestConfig.MAX_RAMP_UP);
        }
    }

    static final class StepDuration extends BoundedDuration {
        StepDuration() {
            super(Duration.ofSeconds(3), Duration.ofMinutes(10));
        }
    }

    static final class SpeechTurn extends BoundedDuration {
        SpeechTurn() {
            super(Duration.ofSeconds(1), Duration.ofMinutes(10));
        }
    }

    static final class ProxyDelay extends BoundedDuration {
        ProxyDelay() {
            super(Duration.ZERO, Duration.ofSeconds(5));
        }
    }

    static final class ProfileName implements ITypeConverter<Profile> {
        @Override
        public Profile convert(String value) {
            for (Profile p : Profile.values()) {
                if (p.token().equals(value.toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            throw new TypeConversionException("must be one of audio, 360p, 720p, 1080p, not '" + value + "'");
        }
    }

    static final class BotKindName implements ITypeConverter<LoadTestConfig.BotKind> {
        @Override
        public LoadTestConfig.BotKind convert(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "native" -> LoadTestConfig.BotKind.NATIVE;
                case "chromium" -> LoadTestConfig.BotKind.CHROMIUM;
                default -> throw new TypeConversionException("must be native or chromium, not '" + value + "'");
            };
        }
    }

    private static final Pattern VIEW_SIZE = Pattern.compile("(\\d{1,9})\\s*[xX]\\s*(\\d{1,9})");

    /** "320x180": width x height in device pixels, each 1..{@link LoadTestConfig.ViewSize#MAX}. */
    static final class ViewSizeText implements ITypeConverter<LoadTestConfig.ViewSize> {
        @Override
        public LoadTestConfig.ViewSize convert(String value) {
            Matcher m = VIEW_SIZE.matcher(value.trim());
            if (!m.matches()) {
                throw new TypeConversionException(
                        "must be WIDTHxHEIGHT in device pixels like 320x180, not '" + value + "'");
            }
            int max = LoadTestConfig.ViewSize.MAX;
            return new LoadTestConfig.ViewSize(
                    wholeNumber("width ", m.group(1), 1, max), wholeNumber("height ", m.group(2), 1, max));
        }
    }

    static final class ReportDirectory implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            if (value.isBlank()) {
                throw new TypeConversionException("needs a directory");
            }
            return Path.of(value);
        }
    }

    /**
     * An http(s) base URL on a loopback host, without path beyond "/", query or credentials; returned as
     * scheme://authority. Host names other than localhost are refused unresolved: they could point anywhere.
     */
    static final class LoopbackServer implements ITypeConverter<URI> {
        @Override
        public URI convert(String s) {
            URI u;
            try {
                u = new URI(s);
            } catch (URISyntaxException e) {
                throw new TypeConversionException("is not a URL: " + s);
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new TypeConversionException("must be an http:// or https:// URL, not " + s);
            }
            if (u.getHost() == null
                    || u.getUserInfo() != null
                    || u.getRawQuery() != null
                    || u.getRawFragment() != null
                    || (u.getRawPath() != null
                            && !u.getRawPath().isEmpty()
                            && !u.getRawPath().equals("/"))) {
                throw new TypeConversionException("must be a plain base URL like http://127.0.0.1:8080, not " + s);
            }
            String host = u.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            boolean loopback;
            if (host.equalsIgnoreCase("localhost")) {
                loopback = true;
            } else if (host.matches("[0-9.]+") || host.contains(":")) {
                try {
                    loopback = InetAddress.getByName(host).isLoopbackAddress(); // a literal: no DNS lookup
                } catch (UnknownHostException e) {
                    loopback = false;
                }
            } else {
                loopback = false;
            }
            if (!loopback) {
                throw new TypeConversionException(
                        "must be on this machine (127.0.0.0/8, ::1 or localhost);" + " refusing " + s);
            }
            return URI.create(scheme + "://" + u.getRawAuthority());
        }
    }

    /** "127.0.0.1:10000" or "[::1]:10000": a loopback address literal (never a name to resolve) and a port. */
    static final class LoopbackSocket implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            String v = value.trim();
            int colon = v.lastIndexOf(':');
            if (colon <= 0 || colon == v.length() - 1) {
                throw new TypeConversionException("must be HOST:PORT like 127.0.0.1:10000, not '" + value + "'");
            }
            String host = v.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = wholeNumber("port ", v.substring(colon + 1), 1, 65535);
            InetAddress address;
            try {
                if (!host.matches("[0-9.]+") && !host.contains(":")) {
                    throw new UnknownHostException(host);
                }
                address = InetAddress.getByName(host); // a literal: no DNS lookup
            } catch (UnknownHostException e) {
                throw new TypeConversionException("needs an address literal (127.0.0.1 or ::1), not '" + host + "'");
            }
            if (!address.isLoopbackAddress()) {
                throw new TypeConversionException("must be on this machine (loopback); refusing " + value);
            }
            return new InetSocketAddress(address, port);
        }
    }

    /**
     * The loss levels of {@code --loss-levels} as one option value. (A List-typed option would make picocli
     * append the values of a repeated option; here, as for every other option, the last one given counts.)
     */
    record LossLevels(List<Double> percents) {}

    /** "0,2,5,10": percentages in 0..100, at least one, each once, at most 20. */
    static final class LossLevelList implements ITypeConverter<LossLevels> {
        @Override
        public LossLevels convert(String value) {
            Percent percent = new Percent();
            List<Double> levels = new ArrayList<>();
            for (String part : value.split(",", -1)) {
                double v = percent.convert(part);
                if (levels.contains(v)) {
                    throw new TypeConversionException("lists " + part.trim() + " twice");
                }
                levels.add(v);
            }
            if (levels.size() > 20) {
                throw new TypeConversionException("takes at most 20 levels, got " + levels.size());
            }
            return new LossLevels(List.copyOf(levels));
        }
    }

    /** Whether each level's call runs with Opus RED offered ({@code --red}), in order. */
    record RedModes(List<Boolean> modes) {}

    /** both (each level without RED, then with), on, off. */
    static final class RedModeList implements ITypeConverter<RedModes> {
        @Override
        public RedModes convert(String value) {
            return switch (value.trim()) {
                case "both" -> new RedModes(List.of(false, true));
                case "on" -> new RedModes(List.of(true));
                case "off" -> new RedModes(List.of(false));
                default -> throw new TypeConversionException("must be both, on or off, not '" + value + "'");
            };
        }
    }

    private static int wholeNumber(String what, String value, int min, int max) {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException(what + "must be a whole number, not '" + value + "'");
        }
        if (v < min || v > max) {
            throw new TypeConversionException(what + "must be between " + min + " and " + max + ", got " + v);
        }
        return (int) v;
    }
}
