package dev.parley.connect.push;

import dev.parley.devices.DeviceRegistry;
import dev.parley.schema.PushRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a device whose token a provider declared dead, through the same {@link DeviceRegistry}
 * the edge uses: the row goes from Cassandra (only if it still has that token) and the user's
 * DeviceSet is republished, so NotificationTopology stops planning pushes for it. Runs on its own
 * thread: the registry blocks, provider threads must not.
 */
final class DeadDeviceRemover implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeadDeviceRemover.class);

    /** The registry and what it runs on (the Cassandra session), closed together. */
    record Opened(DeviceRegistry devices, AutoCloseable connection) {}

    private final Supplier<Opened> connect;
    private Opened registry; // opened on first use, on the worker: start needs no Cassandra
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "push-device-removal");
        t.setDaemon(true);
        return t;
    });

    DeadDeviceRemover(Supplier<Opened> connect) {
        this.connect = connect;
    }

    /**
     * Completes when the removal was tried. A failure (Cassandra or Kafka down) is logged, not
     * retried: the device's next push fails the same way and tries again.
     */
    CompletableFuture<Void> remove(PushRequest push, String reason) {
        return CompletableFuture.runAsync(
                () -> {
                    String endpoint =
                            push.getWebPush() == null ? null : push.getWebPush().getEndpoint();
                    try {
                        if (registry == null) {
                            registry = connect.get();
                        }
                        boolean removed = registry.devices()
                                .removeIfCurrent(push.getUserId(), push.getDeviceId(), push.getToken(), endpoint);
                        log.info(
                                "device {} of {} {}: {}",
                                push.getDeviceId(),
                                push.getUserId(),
                                removed ? "removed" : "already changed, kept",
                                reason);
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                        }
                        log.warn(
                                "could not remove dead device {} of {}: {}",
                                push.getDeviceId(),
                                push.getUserId(),
                                e.toString());
                    }
                },
                worker);
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (registry != null) {
            registry.devices().close();
            try {
                registry.connection().close();
            } catch (Exception e) {
                log.debug("closing the devices session", e);
            }
        }
    }
}
