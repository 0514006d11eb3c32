// Waiting for a server to come back. A page whose connection could not be
// resumed within the grace period (the server restarting after a crash or a
// deploy, or the network down) asks again and again, with backoff, whether a
// server welcomes a new socket; the caller then joins afresh, as Rejoin would.

import { Signaling } from './signaling.js';

// Delays before each look (then the last one again), jittered by ±20% so a
// restarted server's crowd does not come back in lockstep.
const DELAYS_MS = [500, 1000, 2000, 3000, 5000, 10000, 15000];
export const GIVE_UP_AFTER_MS = 5 * 60 * 1000;

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// Whether a server welcomes a new socket now (the socket is closed again at once).
async function serverAnswers() {
  const probe = new Signaling();
  try {
    await probe.connect();
    return true;
  } catch {
    return false;
  } finally {
    probe.close();
  }
}

// Resolves true once a server answers, false after GIVE_UP_AFTER_MS or as soon
// as stillWanted() says the page no longer waits (Leave, Rejoin).
export async function waitForServer(stillWanted) {
  const until = Date.now() + GIVE_UP_AFTER_MS;
  for (let i = 0; Date.now() < until; i++) {
    await sleep(DELAYS_MS[Math.min(i, DELAYS_MS.length - 1)] * (0.8 + 0.4 * Math.random()));
    if (!stillWanted()) return false;
    if (await serverAnswers()) return stillWanted();
  }
  return false;
}
