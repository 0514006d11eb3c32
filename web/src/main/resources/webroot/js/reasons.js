// Why media stopped or the server took us out of the room, by the server's or the browser's
// reason code, in words for the page's notices (media-state, left, removed).
export const MEDIA_REASONS = {
  ice_failed: 'no network path to the media server (ICE failed; UDP may be blocked by a firewall or VPN)',
  consent_expired: 'the media server stopped hearing from this browser (connection lost)',
  dtls_failed: 'the encrypted media handshake (DTLS) failed',
  browser_failed: 'the browser could not reach the media server (ICE or DTLS failed)',
  media_timeout: 'the media connection timed out',
  removed: 'the application removed you',
  removed_by_moderator: 'a moderator removed you',
  room_ended: 'the room was ended',
  timeout: 'the media server did not answer the offer in time',
  bad_sdp: 'the media server could not accept this browser\'s offer',
  unsupported_codec: 'this browser cannot decode a video codec the others in the room can (the server never transcodes)',
  relay_failed: 'the TURN relay could not be used (relay-only mode, ?relay=1)',
  relay_unavailable: 'relay-only mode (?relay=1) needs a TURN relay',
};
