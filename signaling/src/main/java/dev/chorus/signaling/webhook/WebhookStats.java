package dev.chorus.signaling.webhook;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivery counters, written by the dispatcher and the signaling thread, read by /metrics scrapes. Counts are
 * per delivery (an event times a URL) except {@code queued} and {@code dropped}, which count events.
 */
public final class WebhookStats implements MeterBinder {

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** Events accepted and not yet delivered or given up at every URL. */
    private final AtomicInteger queued = new AtomicInteger();

    /** Takes a place in the queue for one event, unless {@code max} are waiting. */
    boolean tryEnqueue(int max) {
        while (true) {
            int n = queued.get();
            if (n >= max) {
                dropped.incrementAndGet();
                return false;
            }
            if (queued.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void dequeued() {
        queued.decrementAndGet();
    }

    void countDelivered() {
        delivered.incrementAndGet();
    }

    void countRetried() {
        retried.incrementAndGet();
    }

    void countFailed() {
        failed.incrementAndGet();
    }

    public long delivered() {
        return delivered.get();
    }

    public long retried() {
        return retried.get();
    }

    public long failed() {
        return failed.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public int queued() {
        return queued.get();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("chorus.webhooks.delivered", this, WebhookStats::delivered)
                .description("Webhook deliveries (event and URL) answered 2xx")
                .register(registry);
        FunctionCounter.builder("chorus.webhooks.retried", this, WebhookStats::retried)
                .description("Webhook delivery attempts that failed and were scheduled again")
                .register(registry);
        FunctionCounter.builder("chorus.webhooks.failed", this, WebhookStats::failed)
                .description("Webhook deliveries given up after chorus.webhooks.max-attempts attempts")
                .register(registry);
        FunctionCounter.builder("chorus.webhooks.dropped", this, WebhookStats::dropped)
                .description("Webhook events dropped because chorus.webhooks.max-queue events were waiting")
                .register(registry);
        Gauge.builder("chorus.webhooks.queued", this, WebhookStats::queued)
                .description("Webhook events waiting to be delivered to every URL")
                .register(registry);
    }
}
