/**
 * Counted drops: the one {@link dev.chorus.sfu.drop.DropReason} enum of the whole packet path, each reason
 * with its {@link dev.chorus.sfu.drop.DropStage}. {@link dev.chorus.sfu.drop.DropCounters} is for single-threaded
 * owners (the media worker's objects, rolled up consumer to router to worker);
 * {@link dev.chorus.sfu.drop.SharedDropCounters} for counters several threads increment (transports).
 */
package dev.chorus.sfu.drop;
