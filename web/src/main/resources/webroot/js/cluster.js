// Cluster mode (README "Cluster"): where the page goes when the server it
// reached does not serve its room ("redirect"), or when that server dies or
// shuts down and the cluster has others ("cluster" lists them).

// A room's node is decided once for the cluster, so one redirect is the rule;
// a few in a row mean nodes dying meanwhile, more a fault: stop and say so.
export const MAX_REDIRECTS = 3;

// The room's page on the node at `nodeUrl`: this page's link options, the name
// the user gave, and how many redirects led there.
export function roomPageOn(nodeUrl, room, name, search, redirects) {
  const next = new URL(`/r/${encodeURIComponent(room)}`, nodeUrl);
  next.search = search;
  if (name) next.searchParams.set('name', name);
  if (redirects > 0) next.searchParams.set('redirects', String(redirects));
  else next.searchParams.delete('redirects');
  return next.toString();
}

// How many redirects in a row led to this page (its link's redirects=N): the
// join says so, and a node another one chose serves it if it has room.
export function redirectsOf(search) {
  const n = Number(new URLSearchParams(search).get('redirects'));
  return Number.isInteger(n) && n > 0 && n <= MAX_REDIRECTS ? n : 0;
}

// Where a "redirect" sends this page: {url}, or {error} when it should not go.
export function redirectTarget(msg, room, name, search) {
  const hops = Number(new URLSearchParams(search).get('redirects')) || 0;
  if (hops >= MAX_REDIRECTS) return { error: `Sent on ${hops} times between servers; try again later.` };
  try {
    return { url: roomPageOn(msg.url, msg.room ?? room, name, search, hops + 1) };
  } catch {
    return { error: `The server sent an invalid address: ${msg.url}` };
  }
}

// The room's page on another node of the cluster than `origin`, from the last
// "cluster" message, or null when there is none.
export function failoverTarget(cluster, origin, room, name, search) {
  const other = (cluster?.nodes ?? []).find((n) => {
    try {
      return new URL(n.url).origin !== origin;
    } catch {
      return false;
    }
  });
  return other ? roomPageOn(other.url, room, name, search, 0) : null;
}
