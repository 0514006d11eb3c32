package dev.chorus.signaling.webhook;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A manual clock with timers and an HTTP stand-in, all on the test thread: time moves only in
 * {@link #advance}, and each POST waits in {@link #requests} until the test answers it.
 */
final class FakeTime implements WebhookDispatcher.Scheduler, WebhookDispatcher.Sender {

    /** A POST the dispatcher made, not answered yet. */
    record Request(String url, Map<String, String> headers, String body, Consumer<WebhookDispatcher.Result> done) {
        void answer(int status) {
            done.accept(WebhookDispatcher.Result.status(status));
        }

        String eventId() {
            return headers.get("Chorus-Webhook-Id");
        }
    }

    private record Timer(long due, long order, Runnable task) {}

    long now = 1_765_000_000_000L;
    private long order;
    private final List<Timer> timers = new ArrayList<>();
    final List<Request> requests = new ArrayList<>();
    /** Every POST ever made, answered or not. */
    final List<Request> sent = new ArrayList<>();

    long now() {
        return now;
    }

    @Override
    public void schedule(long delayMillis, Runnable task) {
        timers.add(new Timer(now + delayMillis, order++, task));
    }

    @Override
    public void post(
            java.net.URI url, Map<String, String> headers, String body, Consumer<WebhookDispatcher.Result> done) {
        Request r = new Request(url.toString(), Map.copyOf(headers), body, done);
        requests.add(r);
        sent.add(r);
    }

    /** Moves the clock on, running every timer that falls due, in time order. */
    void advance(long millis) {
        long until = now + millis;
        while (true) {
            Timer next = timers.stream()
                    .filter(t -> t.due <= until)
                    .min(Comparator.comparingLong(Timer::due).thenComparingLong(Timer::order))
                    .orElse(null);
            if (next == null) {
                break;
            }
            timers.remove(next);
            now = next.due;
            next.task.run();
        }
        now = until;
    }

    /** The only unanswered request (fails if there are none or several), removed. */
    Request take() {
        if (requests.size() != 1) {
            throw new AssertionError("expected one request in flight, got " + requests.size() + ": " + requests);
        }
        return requests.remove(0);
    }

    /** The unanswered request for {@code url}, removed. */
    Request take(String url) {
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).url().equals(url)) {
                return requests.remove(i);
            }
        }
        throw new AssertionError("no request in flight to " + url + ": " + requests);
    }

    /** Moves the clock to the next timer and runs it (and any due with it); returns the time moved. */
    long advanceToNextTimer() {
        long due = timers.stream().mapToLong(Timer::due).min().orElseThrow(() -> new AssertionError("no timer set"));
        long moved = Math.max(0, due - now);
        advance(moved);
        return moved;
    }

    int pendingTimers() {
        return timers.size();
    }
}
