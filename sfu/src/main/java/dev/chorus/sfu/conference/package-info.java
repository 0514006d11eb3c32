/**
 * Conferences on top of the media plane: one {@link dev.chorus.sfu.conference.MediaRoom} per room
 * (a router) and one {@link dev.chorus.sfu.conference.MediaSession} per participant (a transport and
 * its endpoint). Turns a browser's SDP offers into answers, producers and consumers, and tells the
 * participant (through {@link dev.chorus.sfu.conference.MediaSessionListener}) when it should offer
 * again. Framework-free: signaling calls it on one control thread and passes an executor for that
 * thread, so transport events come back there.
 */
package dev.chorus.sfu.conference;
