package dev.parley.devices;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.parley.schema.AvroSerde;
import dev.parley.schema.Device;
import dev.parley.schema.DeviceSet;
import dev.parley.schema.Platform;
import dev.parley.schema.Topics;
import dev.parley.schema.WebPushSubscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A user's push devices and notification settings: rows in Cassandra ({@code devices},
 * {@code notification_settings}), and after every change the user's whole {@link DeviceSet} on the
 * compacted parley.devices.v1 (a tombstone when no device is left), which NotificationTopology joins.
 *
 * <p>The edge writes it for users; the push sink removes devices whose token a provider rejected.
 *
 * <p>Known limit: two changes of the same user on different edges at the same instant can publish
 * in the opposite order of their reads, leaving the older set on the topic until the next change.
 */
public final class DeviceRegistry implements AutoCloseable {

    public record Settings(
            Set<String> muted, String timeZone, Integer quietStart, Integer quietEnd, boolean contentFree) {
        static Settings defaults() {
            return new Settings(Set.of(), "UTC", null, null, false);
        }
    }

    private final CqlSession session;
    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerde<DeviceSet> serde;
    private final PreparedStatement upsertDevice;
    private final PreparedStatement deleteDevice;
    private final PreparedStatement deleteIfToken;
    private final PreparedStatement deleteIfEndpoint;
    private final PreparedStatement devicesOf;
    private final PreparedStatement upsertSettings;
    private final PreparedStatement settingsOf;

    /** {@code session} on a keyspace at this build's schema version (the migrate step makes the tables). */
    public DeviceRegistry(CqlSession session, String bootstrapServers, AvroSerde<DeviceSet> serde) {
        this.session = session;
        this.serde = serde;
        upsertDevice =
                session.prepare("INSERT INTO devices (user_id, device_id, platform, push_token, endpoint, p256dh, auth,"
                        + " registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        deleteDevice = session.prepare("DELETE FROM devices WHERE user_id = ? AND device_id = ?");
        deleteIfToken = session.prepare("DELETE FROM devices WHERE user_id = ? AND device_id = ? IF push_token = ?");
        deleteIfEndpoint = session.prepare("DELETE FROM devices WHERE user_id = ? AND device_id = ? IF endpoint = ?");
        devicesOf = session.prepare("SELECT device_id, platform, push_token, endpoint, p256dh, auth, registered_at"
                + " FROM devices WHERE user_id = ?");
        upsertSettings = session.prepare("INSERT INTO notification_settings (user_id, muted, time_zone, quiet_start,"
                + " quiet_end, content_free) VALUES (?, ?, ?, ?, ?, ?)");
        settingsOf = session.prepare("SELECT muted, time_zone, quiet_start, quiet_end, content_free"
                + " FROM notification_settings WHERE user_id = ?");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public void register(String userId, Device device)
            throws InterruptedException, ExecutionException, TimeoutException {
        WebPushSubscription w = device.getWebPush();
        session.execute(upsertDevice.bind(
                userId,
                device.getDeviceId(),
                device.getPlatform().name(),
                device.getToken(),
                w == null ? null : w.getEndpoint(),
                w == null ? null : w.getP256dh(),
                w == null ? null : w.getAuth(),
                device.getRegisteredAt()));
        publish(userId);
    }

    /** The ids of the user's registered devices (for the per-user cap). */
    public List<String> deviceIds(String userId) {
        List<String> ids = new ArrayList<>();
        for (Row row : session.execute(devicesOf.bind(userId))) {
            ids.add(row.getString("device_id"));
        }
        return ids;
    }

    public void remove(String userId, String deviceId)
            throws InterruptedException, ExecutionException, TimeoutException {
        session.execute(deleteDevice.bind(userId, deviceId));
        publish(userId);
    }

    /**
     * Removes a device a push provider rejected as unregistered or invalid, but only if it still has
     * the rejected token (or Web Push endpoint): a device re-registered with a fresh token meanwhile
     * stays. A lightweight transaction, so the check and the delete are one step. Returns whether
     * it removed the device.
     */
    public boolean removeIfCurrent(String userId, String deviceId, String token, String endpoint)
            throws InterruptedException, ExecutionException, TimeoutException {
        boolean removed = endpoint != null
                ? session.execute(deleteIfEndpoint.bind(userId, deviceId, endpoint))
                        .wasApplied()
                : session.execute(deleteIfToken.bind(userId, deviceId, token)).wasApplied();
        if (removed) {
            publish(userId);
        }
        return removed;
    }

    public void updateSettings(String userId, Settings settings)
            throws InterruptedException, ExecutionException, TimeoutException {
        session.execute(upsertSettings.bind(
                userId,
                settings.muted(),
                settings.timeZone(),
                settings.quietStart(),
                settings.quietEnd(),
                settings.contentFree()));
        publish(userId);
    }

    public Settings settings(String userId) {
        Row row = session.execute(settingsOf.bind(userId)).one();
        if (row == null) {
            return Settings.defaults();
        }
        return new Settings(
                new HashSet<>(row.getSet(0, String.class)),
                row.isNull(1) ? "UTC" : row.getString(1),
                row.isNull(2) ? null : row.getInt(2),
                row.isNull(3) ? null : row.getInt(3),
                !row.isNull(4) && row.getBoolean(4));
    }

    /** Reads the user's current devices and settings and publishes them whole. */
    private void publish(String userId) throws InterruptedException, ExecutionException, TimeoutException {
        List<Device> devices = new ArrayList<>();
        for (Row row : session.execute(devicesOf.bind(userId))) {
            WebPushSubscription web = row.isNull(3)
                    ? null
                    : new WebPushSubscription(row.getString(3), row.getString(4), row.getString(5));
            Instant at = row.getInstant(6);
            devices.add(new Device(
                    row.getString(0),
                    Platform.valueOf(row.getString(1)),
                    row.getString(2),
                    web,
                    at == null ? Instant.EPOCH : at));
        }
        byte[] value = null;
        if (!devices.isEmpty()) {
            Settings s = settings(userId);
            value = serde.serialize(
                    Topics.DEVICES.name(),
                    new DeviceSet(
                            userId,
                            devices,
                            new ArrayList<>(s.muted()),
                            s.timeZone(),
                            s.quietStart(),
                            s.quietEnd(),
                            s.contentFree()));
        }
        producer.send(new ProducerRecord<>(Topics.DEVICES.name(), userId, value))
                .get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}
