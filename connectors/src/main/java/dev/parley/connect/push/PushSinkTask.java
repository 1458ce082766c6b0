package dev.parley.connect.push;

import com.datastax.oss.driver.api.core.CqlSession;
import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.parley.connect.PendingOffsets;
import dev.parley.connect.SinkRecordDecoder;
import dev.parley.devices.DeviceRegistry;
import dev.parley.schema.CassandraSessions;
import dev.parley.schema.ParleySerdes;
import dev.parley.schema.Platform;
import dev.parley.schema.PushRequest;
import dev.parley.schema.SchemaVersionCheck;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each push to its provider's lane and returns from {@link #put} at once; the worker commits
 * a partition only up to its oldest unfinished push ({@link #preCommit}), so a crash re-sends
 * rather than loses. Outcomes: accepted; device gone (the device is removed); retried with backoff
 * honouring Retry-After; after {@code push.max.attempts} or a permanent error, the record goes to
 * the dead-letter topic with the reason, reported from the task thread ({@link #put}). Undecodable
 * records go there too. When a provider stalls,
 * its lane queues up to {@code push.max.pending} pushes, then the task pauses consumption.
 */
public final class PushSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(PushSinkTask.class);

    private final PendingOffsets pending = new PendingOffsets();
    private final Map<Platform, AtomicLong> skipped = new ConcurrentHashMap<>();
    private final Map<Platform, PushSender> senders = new EnumMap<>(Platform.class);
    /** Pushes failed for good on provider threads, waiting for the task thread to report them. */
    private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();

    private SinkRecordDecoder<PushRequest> decoder;
    private PushDispatcher dispatcher;
    private DeadDeviceRemover remover;
    private ScheduledExecutorService timer;
    private ErrantRecordReporter reporter;
    private int maxPending;
    private boolean paused;
    private PushMetrics metrics = new PushMetrics(null);

    @Override
    public void start(Map<String, String> props) {
        PushSinkConfig config = new PushSinkConfig(props);
        reporter = context == null ? null : context.errantRecordReporter();
        metrics = new PushMetrics(context == null ? null : context.pluginMetrics());
        decoder = new SinkRecordDecoder<>(new ParleySerdes().pushRequest(), reporter);
        maxPending = config.getInt(PushSinkConfig.MAX_PENDING);
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_2)
                .build();
        try {
            if (config.apnsEnabled()) {
                senders.put(
                        Platform.APNS, new ApnsSender(apnsClient(config), config.getString(PushSinkConfig.APNS_TOPIC)));
            }
            if (config.fcmEnabled()) {
                try (InputStream in = new FileInputStream(config.getString(PushSinkConfig.FCM_SERVICE_ACCOUNT_FILE))) {
                    senders.put(
                            Platform.FCM,
                            new FcmSender(
                                    ServiceAccountCredentials.fromStream(in),
                                    config.getString(PushSinkConfig.FCM_ENDPOINT),
                                    http));
                }
            }
            if (config.webPushEnabled()) {
                senders.put(
                        Platform.WEBPUSH,
                        new WebPushSender(
                                new VapidSigner(
                                        config.getString(PushSinkConfig.VAPID_PUBLIC_KEY),
                                        config.vapidPrivateKey(),
                                        config.getString(PushSinkConfig.VAPID_SUBJECT)),
                                http));
            }
        } catch (Exception e) {
            senders.values().forEach(PushSender::close);
            throw new ConnectException("push provider setup failed: " + e.getMessage(), e);
        }
        log.info("push sink sending to {}", senders.keySet());
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "push-retry-timer");
            t.setDaemon(true);
            return t;
        });
        remover = new DeadDeviceRemover(() -> openRegistry(config));
        dispatcher = new PushDispatcher(
                senders,
                config.getInt(PushSinkConfig.MAX_IN_FLIGHT),
                new RetryPolicy(
                        config.getInt(PushSinkConfig.MAX_ATTEMPTS),
                        Duration.ofMillis(config.getLong(PushSinkConfig.RETRY_BACKOFF_MS)),
                        Duration.ofMillis(config.getLong(PushSinkConfig.RETRY_MAX_BACKOFF_MS))),
                timer,
                new PushDispatcher.Listener() {
                    @Override
                    public void finished(PushDispatcher.Attempt attempt, PushOutcome outcome) {
                        PushSinkTask.this.finished(attempt, outcome);
                    }

                    @Override
                    public void retrying(PushDispatcher.Attempt attempt, PushOutcome.Retry retry) {
                        metrics.record(attempt.push.getPlatform(), PushMetrics.Outcome.RETRIED);
                    }
                });
    }

    private static ApnsClient apnsClient(PushSinkConfig config) throws Exception {
        ApnsClientBuilder builder = new ApnsClientBuilder()
                .setApnsServer(config.getString(PushSinkConfig.APNS_HOST), config.getInt(PushSinkConfig.APNS_PORT))
                .setSigningKey(ApnsSigningKey.loadFromPkcs8File(
                        new File(config.getString(PushSinkConfig.APNS_KEY_FILE)),
                        config.getString(PushSinkConfig.APNS_TEAM_ID),
                        config.getString(PushSinkConfig.APNS_KEY_ID)));
        String trust = config.getString(PushSinkConfig.APNS_TRUST_CERT_FILE);
        if (!trust.isBlank()) {
            builder.setTrustedServerCertificateChain(new File(trust));
        }
        return builder.build();
    }

    private static DeadDeviceRemover.Opened openRegistry(PushSinkConfig config) {
        CqlSession session = CassandraSessions.open(
                config.getList(PushSinkConfig.CONTACT_POINTS),
                config.getString(PushSinkConfig.DATACENTER),
                config.getString(PushSinkConfig.KEYSPACE),
                Duration.ofSeconds(5));
        try {
            SchemaVersionCheck.require(session, config.getString(PushSinkConfig.KEYSPACE));
            return new DeadDeviceRemover.Opened(
                    new DeviceRegistry(
                            session,
                            config.getString(PushSinkConfig.DEVICES_BOOTSTRAP),
                            new ParleySerdes().deviceSet()),
                    session);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        reportFailures();
        for (SinkRecord record : records) {
            PushRequest push = decoder.decode(record);
            if (push == null) {
                continue;
            }
            if (!dispatcher.supports(push.getPlatform())) {
                metrics.record(push.getPlatform(), PushMetrics.Outcome.SKIPPED);
                long n = skipped.computeIfAbsent(push.getPlatform(), p -> new AtomicLong())
                        .incrementAndGet();
                if (Long.bitCount(n) == 1) { // 1, 2, 4, 8...: visible without flooding the log
                    log.warn("{} pushes skipped so far: no {} credentials configured", n, push.getPlatform());
                }
                continue;
            }
            pending.add(partition(record), record.kafkaOffset());
            dispatcher.submit(push, record);
        }
        decoder.reportUndecodable(); // a batch is never redelivered here: each push retries alone
        applyBackpressure();
    }

    private void applyBackpressure() {
        int size = pending.size();
        if (!paused && size >= maxPending) {
            log.warn("{} pushes unfinished: pausing consumption until providers catch up", size);
            context.pause(context.assignment().toArray(TopicPartition[]::new));
            paused = true;
        } else if (paused && size <= maxPending / 2) {
            context.resume(context.assignment().toArray(TopicPartition[]::new));
            paused = false;
        }
    }

    private void finished(PushDispatcher.Attempt attempt, PushOutcome outcome) {
        SinkRecord record = (SinkRecord) attempt.tag;
        TopicPartition partition = partition(record);
        Platform platform = attempt.push.getPlatform();
        if (outcome instanceof PushOutcome.Accepted) {
            metrics.record(platform, PushMetrics.Outcome.ACCEPTED);
            pending.finish(partition, record.kafkaOffset());
        } else if (outcome instanceof PushOutcome.DeviceGone gone) {
            metrics.record(platform, PushMetrics.Outcome.DEVICE_GONE);
            remover.remove(attempt.push, gone.reason())
                    .whenComplete((r, e) -> pending.finish(partition, record.kafkaOffset()));
        } else if (outcome instanceof PushOutcome.Failed failed) {
            metrics.record(platform, PushMetrics.Outcome.DEAD_LETTERED);
            log.warn(
                    "push to device {} ({}) failed for good: {}",
                    attempt.push.getDeviceId(),
                    attempt.push.getPlatform(),
                    failed.reason());
            failures.add(new Failure(record, new ConnectException(failed.reason())));
        }
    }

    /**
     * Reports what providers failed for good, on the task thread, where the worker expects its
     * reporter to be called. Here in {@code put} rather than in {@code preCommit}: the worker
     * awaits the reports made so far before it asks {@code preCommit} what to commit, so releasing
     * the offset right after {@code report} never commits past a dead letter still being written.
     * The worker calls {@code put} on every poll, even with no records, so none waits for long.
     */
    private void reportFailures() {
        Failure f;
        while ((f = failures.poll()) != null) {
            SinkRecord record = f.record();
            if (reporter == null) {
                log.error(
                        "no dead-letter topic configured; dropping {}-{}@{}",
                        record.topic(),
                        record.kafkaPartition(),
                        record.kafkaOffset());
            } else {
                reporter.report(record, f.reason());
            }
            pending.finish(partition(record), record.kafkaOffset());
        }
    }

    private record Failure(SinkRecord record, Exception reason) {}

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        return pending.committable(currentOffsets);
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        pending.forget(partitions);
    }

    /** Skipped pushes per platform without credentials, for tests and logs. */
    long skipped(Platform platform) {
        AtomicLong n = skipped.get(platform);
        return n == null ? 0 : n.get();
    }

    int unfinished() {
        return pending.size();
    }

    private static TopicPartition partition(SinkRecord record) {
        return new TopicPartition(record.topic(), record.kafkaPartition());
    }

    @Override
    public void stop() {
        senders.values().forEach(PushSender::close);
        if (timer != null) {
            timer.shutdownNow();
        }
        if (remover != null) {
            remover.close();
        }
    }

    @Override
    public String version() {
        return "0.1.0";
    }
}
