/**
 * Media threads: a {@link dev.chorus.sfu.worker.MediaWorker} owns whole routers and runs their packets, commands
 * and timers from one bounded queue, so nothing it owns needs a lock. Also the injected
 * {@link dev.chorus.sfu.worker.Clock} (a {@link dev.chorus.sfu.worker.ManualClock} in tests), the worker's
 * {@link dev.chorus.sfu.worker.TimerQueue}, and the forwarding totals it copies for metrics on its own thread.
 */
package dev.chorus.sfu.worker;
