/**
 * JMH benchmarks of the media plane. Build and run all of them (about two minutes):
 *
 * <pre>
 * mvn -q -pl loadtest -am -DskipTests package
 * java -jar loadtest/target/chorus-bench.jar -prof gc
 * </pre>
 *
 * <p>Scores are ns per operation (lower is better); {@code gc.alloc.rate.norm} is bytes
 * allocated per operation. One operation is one publisher packet for the forward-path
 * benchmarks (divide by {@code subscribers} for the cost per forwarded packet), one packet or
 * compound for the parsers, one SRTP protect for {@link dev.chorus.loadtest.bench.SrtpProtectBenchmark}.
 * Pass a regex to run a subset, e.g. {@code java -jar loadtest/target/chorus-bench.jar Forward -prof gc}.
 */
package dev.chorus.loadtest.bench;
