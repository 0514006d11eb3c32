/**
 * Webhooks: room events POSTed to the application, signed, at least once and in order per room.
 *
 * <p>{@link dev.chorus.signaling.webhook.Webhooks} hears rooms on the signaling thread, numbers each room's
 * events and only hands them over; {@link dev.chorus.signaling.webhook.WebhookDispatcher} delivers them on a
 * context of its own, one lane per room and URL, retrying with exponential backoff. The dispatcher's clock,
 * timers and HTTP are injected, so its ordering and retries are tested without a network or waiting.
 */
package dev.chorus.signaling.webhook;
