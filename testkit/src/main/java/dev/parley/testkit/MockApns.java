package dev.parley.testkit;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * pushy's {@link MockApnsServer}: real APNs HTTP/2 over TLS with token authentication, validating
 * topic, device token and the provider JWT exactly as Apple does. Device tokens are accepted only
 * once {@link #register}ed; {@link #expire}d ones answer 410 Unregistered, unknown ones 400
 * BadDeviceToken. The TLS certificate and the .p8 signing key are generated per instance.
 */
public final class MockApns implements AutoCloseable {

    public static final String TEAM_ID = "TEAM123456";
    public static final String KEY_ID = "KEY1234567";

    public record Rejection(ApnsPushNotification notification, RejectionReason reason) {}

    private final Map<String, Set<String>> tokensByTopic = new ConcurrentHashMap<>();
    private final Map<String, Instant> expirations = new ConcurrentHashMap<>();
    private final BlockingQueue<ApnsPushNotification> accepted = new LinkedBlockingQueue<>();
    private final BlockingQueue<Rejection> rejected = new LinkedBlockingQueue<>();
    private final String topic;
    private final Path dir;
    private final Path keyFile;
    private final Path certFile;
    private final MockApnsServer server;
    private final int port;

    public MockApns(String topic) throws Exception {
        this.topic = topic;
        this.dir = Files.createTempDirectory("mock-apns");
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair signing = ec.generateKeyPair();
        keyFile = dir.resolve("AuthKey_" + KEY_ID + ".p8");
        Files.writeString(keyFile, pem("PRIVATE KEY", signing.getPrivate().getEncoded()));
        ApnsVerificationKey verification = new ApnsVerificationKey(KEY_ID, TEAM_ID, (ECPublicKey) signing.getPublic());

        KeyStore tls = selfSignedLocalhost(dir);
        X509Certificate cert = (X509Certificate) tls.getCertificate("apns");
        certFile = dir.resolve("server.pem");
        Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
        tokensByTopic.put(topic, ConcurrentHashMap.newKeySet());
        server = new MockApnsServerBuilder()
                .setServerCredentials(
                        new X509Certificate[] {cert}, (PrivateKey) tls.getKey("apns", "changeit".toCharArray()), null)
                .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(
                        tokensByTopic, expirations, Map.of(KEY_ID, verification), Map.of(verification, Set.of(topic))))
                .setListener(new ParsingMockApnsServerListenerAdapter() {
                    @Override
                    public void handlePushNotificationAccepted(ApnsPushNotification notification) {
                        accepted.add(notification);
                    }

                    @Override
                    public void handlePushNotificationRejected(
                            ApnsPushNotification notification, RejectionReason reason, Instant deviceTokenExpiration) {
                        rejected.add(new Rejection(notification, reason));
                    }
                })
                .build();
        port = FreePorts.next();
        server.start(port).get(10, TimeUnit.SECONDS);
    }

    /** A random 64-hex-digit device token, as iOS hands out. */
    public static String newDeviceToken() {
        StringBuilder sb = new StringBuilder();
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 64; i++) {
            sb.append(Character.forDigit(r.nextInt(16), 16));
        }
        return sb.toString();
    }

    public void register(String token) {
        tokensByTopic.get(topic).add(token);
    }

    /** The app was uninstalled: APNs answers 410 Unregistered from now on. */
    public void expire(String token) {
        register(token);
        expirations.put(token, Instant.now().minusSeconds(60));
    }

    public ApnsPushNotification nextAccepted(long timeout, TimeUnit unit) throws InterruptedException {
        return accepted.poll(timeout, unit);
    }

    public Rejection nextRejected(long timeout, TimeUnit unit) throws InterruptedException {
        return rejected.poll(timeout, unit);
    }

    public int port() {
        return port;
    }

    public String topic() {
        return topic;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** The server's self-signed certificate, for the client's trust (apns.trust.cert.file). */
    public Path certificateFile() {
        return certFile;
    }

    private static KeyStore selfSignedLocalhost(Path dir) throws Exception {
        Path store = dir.resolve("tls.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "apns",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=dns:localhost,ip:127.0.0.1",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Override
    public void close() throws Exception {
        server.shutdown().get(10, TimeUnit.SECONDS);
    }
}
