package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.schema.TopicProvisioner;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.ErrorLog;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.RedisServerExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The account endpoints of a real edge (real Kafka, Redis and Cassandra) under abuse: wrong-password
 * and registration throttles answering 429 with Retry-After, usernames that differ only in case,
 * passwords beyond bcrypt's 72 bytes, weak passwords, Web Push endpoints aimed at internal services.
 * The edge trusts 127.0.0.1 as a proxy, so each test speaks from its own X-Forwarded-For address.
 * None of it may log an ERROR.
 */
@ExtendWith({KafkaClusterExtension.class, RedisServerExtension.class, CassandraNodeExtension.class})
class AccountAbuseIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(1);
    private static final int PER_ADDRESS = 8;

    private static EdgeMain.RunningEdge edge;
    private static Map<String, Object> settings;
    private static ErrorLog LOG;

    record Response(int status, JsonNode body, HttpResponse<String> raw) {
        String code() {
            return body == null ? null : body.path("code").asText();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        LOG = ErrorLog.attach();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaClusterExtension.bootstrapServers()))) {
            new TopicProvisioner(admin, (short) 1, 3, null).provisionCatalogue(); // devices are published
        }
        settings = new HashMap<>();
        settings.put(
                EdgeSettings.EDGE_ID, "it-abuse-" + UUID.randomUUID().toString().substring(0, 6));
        settings.put(EdgeSettings.HTTP_HOST, "127.0.0.1");
        settings.put(EdgeSettings.HTTP_PORT, 0);
        settings.put(EdgeSettings.BOOTSTRAP_SERVERS, KafkaClusterExtension.bootstrapServers());
        settings.put(EdgeSettings.REDIS_URL, RedisServerExtension.url());
        settings.put(EdgeSettings.REDIS_KEY_PREFIX, RedisServerExtension.newKeyPrefix());
        settings.put(
                EdgeSettings.CASSANDRA_CONTACT_POINT,
                CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port());
        settings.put(EdgeSettings.CASSANDRA_KEYSPACE, CassandraNodeExtension.newMigratedKeyspace());
        settings.put(EdgeSettings.JWT_SECRET, "it-secret-it-secret-it-secret-it-secret");
        settings.put(EdgeSettings.TRUSTED_PROXIES, "127.0.0.1");
        settings.put(EdgeSettings.LOGIN_FAILURES_PER_ADDRESS, PER_ADDRESS);
        edge = EdgeMain.start(new EdgeSettings(settings));
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
        LOG.detach();
    }

    @AfterEach
    void nothingLoggedAsError() {
        LOG.assertNoEdgeErrors();
    }

    /** A session on the edge's keyspace, for rows a test writes as an older edge or the past would. */
    private static CqlSession cql() {
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(CassandraNodeExtension.host(), CassandraNodeExtension.port()))
                .withLocalDatacenter(CassandraNodeExtension.localDatacenter())
                .withKeyspace((String) settings.get(EdgeSettings.CASSANDRA_KEYSPACE))
                .build();
    }

    /** A fresh client address for one test, so the tests' counters never meet. */
    private static String newAddress() {
        return "198.51.100." + NEXT_ADDRESS.getAndIncrement();
    }

    private static String name(String base) {
        return base + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Response post(String from, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .timeout(Duration.ofSeconds(15))
                .header("X-Forwarded-For", from)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? null : TestClient.JSON.readTree(response.body());
        return new Response(response.statusCode(), json, response);
    }

    private static String credentials(String username, String password) {
        return TestClient.JSON
                .createObjectNode()
                .put("username", username)
                .put("password", password)
                .toString();
    }

    private static Response register(String from, String username, String password) throws Exception {
        return post(from, "/v1/users", null, credentials(username, password));
    }

    private static Response login(String from, String username, String password) throws Exception {
        return post(from, "/v1/tokens", null, credentials(username, password));
    }

    private static void assertRateLimited(Response r, long maxSeconds) {
        assertThat(r.status()).as(r.toString()).isEqualTo(429);
        assertThat(r.code()).isEqualTo("rate_limited");
        long retryAfter =
                Long.parseLong(r.raw().headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, maxSeconds);
    }

    @Test
    void shouldAnswer429WithRetryAfterOnceAnAccountHadFiveWrongPasswordsFromAnyAddress() throws Exception {
        String victim = name("victim");
        assertThat(register(newAddress(), victim, "correct horse").status()).isEqualTo(201);
        String first = newAddress();
        String second = newAddress();
        for (int i = 0; i < 5; i++) {
            Response wrong = login(i % 2 == 0 ? first : second, victim, "guess number " + i);
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(401);
        }
        assertRateLimited(login(first, victim, "guess number 5"), 900);
        // the lock holds for the account, from a third address too, even with the right password
        assertRateLimited(login(newAddress(), victim, "correct horse"), 900);
        // and for a sign-up of the name with the right password, which would otherwise answer its user id
        assertRateLimited(register(newAddress(), victim, "correct horse"), 900);

        String other = name("other");
        assertThat(register(newAddress(), other, "correct horse").status()).isEqualTo(201);
        assertThat(login(first, other, "correct horse").status()).isEqualTo(200);
    }

    /**
     * Wrong passwords sent together: each login is counted before its bcrypt, so no more than the
     * account's five are verified, where a limiter that checked first and counted after the bcrypt
     * let every one of them through.
     */
    @Test
    void shouldVerifyNoMoreThanFiveWrongPasswordsSentAtOnce() throws Exception {
        String victim = name("parallel");
        assertThat(register(newAddress(), victim, "correct horse").status()).isEqualTo(201);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String guess = "parallel guess " + i;
                String from = newAddress();
                answers.add(pool.submit(() -> login(from, victim, guess)));
            }
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (Future<Response> answer : answers) {
                statuses.merge(answer.get(60, TimeUnit.SECONDS).status(), 1, Integer::sum);
            }
            assertThat(statuses).isEqualTo(Map.of(401, 5, 429, 15));
        } finally {
            pool.shutdownNow();
        }
        assertRateLimited(login(newAddress(), victim, "correct horse"), 900);
    }

    @Test
    void shouldLimitFailedLoginsFromOneAddressOverAllUsernames() throws Exception {
        String attacker = newAddress();
        for (int i = 0; i < PER_ADDRESS; i++) {
            assertThat(login(attacker, name("nobody"), "correct horse").status())
                    .isEqualTo(401);
        }
        assertRateLimited(login(attacker, name("nobody"), "correct horse"), 900);
        String user = name("carol");
        assertThat(register(newAddress(), user, "correct horse").status()).isEqualTo(201);
        assertRateLimited(login(attacker, user, "correct horse"), 900);
        assertThat(login(newAddress(), user, "correct horse").status()).isEqualTo(200);
    }

    @Test
    void shouldForgetAnAccountsWrongPasswordsAfterItsOwnerLogsIn() throws Exception {
        String user = name("dave");
        assertThat(register(newAddress(), user, "correct horse").status()).isEqualTo(201);
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 4; i++) {
                assertThat(login(newAddress(), user, "typo " + i).status()).isEqualTo(401);
            }
            assertThat(login(newAddress(), user, "correct horse").status()).isEqualTo(200);
        }
    }

    @Test
    void shouldLimitRegistrationsPerAddressAndCountProbesOfTakenNames() throws Exception {
        String farm = newAddress();
        String taken = name("taken");
        Response first = register(farm, taken, "correct horse");
        assertThat(first.status()).isEqualTo(201);
        // session 19: a sign-up sent again (its answer lost) gets the first one's answer, not 409
        Response again = register(farm, taken.toUpperCase(java.util.Locale.ROOT), "correct horse");
        assertThat(again.status()).as(again.toString()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(register(farm, taken, "correct horsf").status()).isEqualTo(409);
        for (int i = 0; i < 4; i++) {
            assertThat(register(newAddress(), taken, "not the password " + i).status())
                    .isEqualTo(409);
        }
        // a sign-up with a password is a login by another door: five wrong ones lock the account for
        // both, from any address, as five wrong logins do (no more guesses by signing up)
        assertRateLimited(register(newAddress(), taken, "correct horse"), 900);
        assertRateLimited(login(newAddress(), taken, "correct horse"), 900);
        for (int i = 0; i < 2; i++) {
            assertThat(register(farm, name("bot"), "correct horse").status()).isEqualTo(201);
        }
        assertRateLimited(register(farm, name("bot"), "correct horse"), 3600);
        assertThat(register(newAddress(), name("human"), "correct horse").status())
                .isEqualTo(201);
    }

    /** Session 19: a sign-up is taken as the retry of an earlier one only while that one is minutes old. */
    @Test
    void shouldAnswerASignUpOfAnOldAccountsNameWith409EvenWithItsPassword() throws Exception {
        String owner = name("owner");
        assertThat(register(newAddress(), owner, "correct horse").status()).isEqualTo(201);
        try (CqlSession cql = cql()) {
            // a sign-up 11 minutes ago: one minute past the retry window
            cql.execute(
                    "UPDATE users_by_name SET created_at = ? WHERE username = ? IF EXISTS",
                    java.time.Instant.now().minus(java.time.Duration.ofMinutes(11)),
                    owner.toLowerCase(java.util.Locale.ROOT));
        }
        Response late = register(newAddress(), owner, "correct horse");
        assertThat(late.status()).as(late.toString()).isEqualTo(409);
        assertThat(late.code()).isEqualTo("conflict");
        assertThat(login(newAddress(), owner, "correct horse").status()).isEqualTo(200);
    }

    @Test
    void shouldTreatUsernamesDifferingOnlyInCaseAsOneAccount() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Response created = register(newAddress(), "Victim_" + suffix, "correct horse");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.body().path("username").asText()).isEqualTo("Victim_" + suffix);

        Response impostor =
                register(newAddress(), "VICTIM_" + suffix.toUpperCase(java.util.Locale.ROOT), "another one");
        assertThat(impostor.status()).isEqualTo(409);
        assertThat(impostor.code()).isEqualTo("conflict");
        Response fullWidth = register(newAddress(), "ｖｉｃｔｉｍ_" + suffix, "another one");
        assertThat(fullWidth.status()).isEqualTo(409);
        Response cyrillic = register(newAddress(), "vіctim_" + suffix, "another one");
        assertThat(cyrillic.status()).isEqualTo(400);
        assertThat(cyrillic.code()).isEqualTo("bad_request");

        String userId = created.body().path("user_id").asText();
        for (String spelling : List.of("victim_" + suffix, "VICTIM_" + suffix.toUpperCase(java.util.Locale.ROOT))) {
            Response login = login(newAddress(), spelling, "correct horse");
            assertThat(login.status()).as(spelling).isEqualTo(200);
            assertThat(login.body().path("user_id").asText()).isEqualTo(userId);
        }
    }

    @Test
    void shouldAcceptPasswordsBeyondBcryptsLimitAndRefuseWeakOrOversizeOnes() throws Exception {
        String from = newAddress();
        String user = name("erin");
        String longPassword = "ä".repeat(100) + "-and-more"; // 209 bytes
        Response created = register(from, user, longPassword);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(login(from, user, longPassword).status()).isEqualTo(200);
        // the same first 72 bytes do not make the same password
        assertThat(login(from, user, "ä".repeat(36)).status()).isEqualTo(401);

        String oversize = "x".repeat(1025);
        Response tooLong = register(from, name("frank"), oversize);
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.body().path("message").asText()).contains("1024 bytes");
        assertThat(login(from, user, oversize).status()).isEqualTo(400);

        Response common = register(from, name("gina"), "Password123");
        assertThat(common.status()).isEqualTo(400);
        assertThat(common.body().path("message").asText()).contains("most common");
        String named = name("hank");
        Response containsName = register(from, named, named.toUpperCase(java.util.Locale.ROOT) + "!!");
        assertThat(containsName.status()).isEqualTo(400);
        assertThat(containsName.body().path("message").asText()).contains("username");
    }

    @Test
    void shouldMoveOldUpperCaseAccountsToTheirNormalisedName() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String legacyName = "Legacy_" + suffix;
        String legacyHash = BCrypt.withDefaults().hashToString(10, "correct horse".toCharArray());
        try (CqlSession cql = cql()) {
            cql.execute(
                    "INSERT INTO users_by_name (username, user_id, password_hash, display_name, created_at)"
                            + " VALUES (?, ?, ?, ?, ?)",
                    legacyName,
                    "u_legacy" + suffix,
                    legacyHash,
                    null,
                    Instant.now());
        }
        Map<String, Object> second = new HashMap<>(settings);
        second.put(EdgeSettings.EDGE_ID, "it-abuse-2-" + suffix);
        try (EdgeMain.RunningEdge restarted = EdgeMain.start(new EdgeSettings(second))) {
            assertThat(restarted.port()).isPositive();
        }
        Response login = login(newAddress(), "legacy_" + suffix, "correct horse");
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        assertThat(login.body().path("user_id").asText()).isEqualTo("u_legacy" + suffix);
        assertThat(register(newAddress(), "LEGACY_" + suffix, "another one").status())
                .isEqualTo(409);
    }

    @Test
    void shouldRefuseWebPushEndpointsThatAimThePushSinkAtInternalServices() throws Exception {
        String user = name("ivan");
        String from = newAddress();
        assertThat(register(from, user, "correct horse").status()).isEqualTo(201);
        String token =
                login(from, user, "correct horse").body().path("access_token").asText();
        for (String endpoint : List.of(
                "http://127.0.0.1:8083/connectors",
                "https://169.254.169.254/latest/meta-data/",
                "file:///etc/passwd",
                "https://user@fcm.googleapis.com/fcm/send/abc",
                "https://evil.example/fcm/send/abc")) {
            Response refused = post(from, "/v1/devices", token, webPush(endpoint));
            assertThat(refused.status()).as(endpoint).isEqualTo(400);
            assertThat(refused.code()).isEqualTo("bad_request");
        }
        Response fcm = post(
                from, "/v1/devices", token, webPush("https://fcm.googleapis.com/fcm/send/cXl2ZT2u8Yw:APA91bHqr0lW2"));
        assertThat(fcm.status()).as(fcm.toString()).isEqualTo(201);
    }

    private static String webPush(String endpoint) {
        var body = TestClient.JSON.createObjectNode().put("platform", "webpush");
        body.putObject("subscription")
                .put("endpoint", endpoint)
                .putObject("keys")
                .put(
                        "p256dh",
                        "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM")
                .put("auth", "tBHItJI5svbpez7KI4CCXg");
        return body.toString();
    }
}
