/**
 * Collections the packet path needs and the JDK lacks: a primitive-keyed map (SSRC lookups without boxing) and
 * the bounded lock-free multi-producer queue each media worker is fed through.
 */
package dev.chorus.sfu.collect;
