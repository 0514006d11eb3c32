/**
 * Conferences on top of the media plane: one {@link dev.chorus.sfu.conference.MediaRoom} per room
 * (a router) and one {@link dev.chorus.sfu.conference.MediaSession} per participant (a transport and
 * its endpoint). Turns a browser's SDP offers into answers, producers and consumers, and tells the
 * participant (through {@link dev.chorus.sfu.conference.MediaSessionListener}) when it should offer
 * again. Framework-free: signaling calls it on one control thread and passes an executor for that
 * thread, so transport events come back there. Nothing on the control thread waits for a media
 * worker: router work is queued, behind the router's own creation.
 *
 * <p>A session's jobs, each in its own class: {@link dev.chorus.sfu.conference.Negotiation} (parse
 * offers, build answers, keep the transport the first offer fixed),
 * {@link dev.chorus.sfu.conference.Publications} (the tracks the participant sends, by line),
 * {@link dev.chorus.sfu.conference.SubscriptionPlan} (the tracks it receives, by line, and its
 * SSRCs), {@link dev.chorus.sfu.conference.RouterWiring} (its endpoint, producers and consumers on
 * the router), {@link dev.chorus.sfu.conference.SessionTransport} (its ICE/DTLS transport) and
 * {@link dev.chorus.sfu.conference.RenegotiationRequests} (asking it for a new offer). A room's one video codec,
 * which every participant decodes, is {@link dev.chorus.sfu.conference.RoomVideoCodec}.
 */
package dev.chorus.sfu.conference;
