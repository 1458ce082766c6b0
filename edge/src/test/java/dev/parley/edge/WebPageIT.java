package dev.parley.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.edge.http.WebPage;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.ErrorLog;
import dev.parley.testkit.KafkaClusterExtension;
import dev.parley.testkit.OpenSearchNodeExtension;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.testkit.S3ProxyExtension;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The web chat page (DESIGN 7.4) in a real Chromium against a real edge, Kafka, Redis, Cassandra,
 * S3Proxy (the media store) and ConversationTopology, with events stored as the Cassandra sink stores
 * them and indexed by the search sink's task on a real OpenSearch node (the one {@code SearchIT}
 * uses: one per test JVM): what a person sees in two windows side by side. Screenshots of the main screens go to
 * {@code target/web-screenshots/}.
 */
@ExtendWith({
    KafkaClusterExtension.class,
    RedisServerExtension.class,
    CassandraNodeExtension.class,
    S3ProxyExtension.class,
    OpenSearchNodeExtension.class
})
class WebPageIT {

    private static final String PASSWORD = "correct horse";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Path SHOTS = Path.of("target", "web-screenshots");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String VAPID_PUBLIC_KEY = vapidPublicKey();

    private static ErrorLog log;
    private static EdgeFixture fixture;
    private static EdgeMain.RunningEdge edge;
    private static String base;
    private static String edgeId;

    @BeforeAll
    static void start() throws Exception {
        log = ErrorLog.attach();
        fixture = EdgeFixture.start();
        fixture.sinkEvents();
        String index = OpenSearchNodeExtension.newIndexName();
        fixture.indexEvents(OpenSearchNodeExtension.url(), index);
        edgeId = "web-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, Object> s = fixture.withMediaStore(fixture.settings(edgeId));
        s.put(EdgeSettings.SEARCH_URLS, OpenSearchNodeExtension.url());
        s.put(EdgeSettings.SEARCH_INDEX, index);
        s.put(EdgeSettings.WEBPUSH_VAPID_PUBLIC_KEY, VAPID_PUBLIC_KEY);
        s.put(EdgeSettings.RATE_BURST, 10_000); // the history case sends 60 messages at once
        s.put(EdgeSettings.RATE_MEDIA_BURST, 100); // the bounds case attaches 32 files to one message
        s.put(EdgeSettings.PRESENCE_SHARED_CACHE_MS, 0L); // a chat's presence shows as soon as the sink wrote it
        edge = fixture.edge(s);
        base = "http://127.0.0.1:" + edge.port() + "/";
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
        log.detach();
    }

    @AfterEach
    void shouldHaveLoggedNoError() {
        log.assertNoEdgeErrors(); // a page using the API as meant never makes the edge log an ERROR
    }

    private static String name(String base) {
        return base + UUID.randomUUID().toString().substring(0, 8);
    }

    // ---- served files (no browser needed) ---------------------------------------------------------

    @Test
    void shouldServeThePageWithASameOriginContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(WebPage.CONTENT_SECURITY_POLICY);
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(page.body()).contains("<script type=\"module\" src=\"js/main.js\"></script>");
        assertThat(page.body()).doesNotContain("<style", "style=\"", "http://", "https://");

        HttpResponse<String> script = get("/js/main.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(script.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(get("/app.css").headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
        assertThat(script.headers().firstValue("Last-Modified")).isPresent();

        HttpResponse<String> worker = get("/sw.js");
        assertThat(worker.statusCode()).isEqualTo(200);
        assertThat(worker.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(worker.headers().firstValue("Content-Security-Policy")).hasValue(WebPage.CONTENT_SECURITY_POLICY);
        HttpResponse<String> key = get("/v1/push/vapid-public-key");
        assertThat(key.statusCode()).isEqualTo(200);
        assertThat(TestClient.JSON.readTree(key.body()).path("public_key").asText())
                .isEqualTo(VAPID_PUBLIC_KEY);

        for (String missing : List.of(
                "/nope.html",
                "/js/",
                "/v1/nope",
                "/v1",
                "/%2e%2e/dev/parley/edge/common-passwords.txt",
                "/..%2fdev/parley/edge/common-passwords.txt",
                "/js/../../dev/parley/edge/common-passwords.txt")) {
            HttpResponse<String> notFound = get(missing);
            assertThat(notFound.statusCode()).as(missing).isEqualTo(404);
            assertThat(TestClient.JSON.readTree(notFound.body()).path("code").asText())
                    .as(missing)
                    .isEqualTo("not_found");
        }
        HttpResponse<String> post = HTTP.send(
                HttpRequest.newBuilder(URI.create(base))
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        HttpResponse<String> postMissing = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "nope"))
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(postMissing.statusCode()).isEqualTo(404);
    }

    @Test
    void shouldFindUsersByNameAndShowMembersToMembersOnly() throws Exception {
        String aliceName = name("Alice");
        try (TestClient alice = TestClient.register(edge.port(), aliceName);
                TestClient bob = TestClient.register(edge.port(), name("bob"));
                TestClient mallory = TestClient.register(edge.port(), name("mallory"))) {
            TestClient.Response found =
                    bob.http(edge.port(), "GET", "/v1/users?username=" + aliceName.toUpperCase(), null);
            assertThat(found.status()).isEqualTo(200);
            assertThat(found.body().path("user_id").asText()).isEqualTo(alice.userId);
            assertThat(found.body().path("username").asText()).isEqualTo(aliceName);
            assertThat(bob.http(edge.port(), "GET", "/v1/users?username=" + name("nobody"), null)
                            .status())
                    .isEqualTo(404);
            assertThat(bob.http(edge.port(), "GET", "/v1/users?username=a%20b", null)
                            .status())
                    .isEqualTo(400);
            assertThat(TestClient.http(edge.port(), "GET", "/v1/users?username=" + aliceName, null, null)
                            .status())
                    .isEqualTo(401);

            TestClient.Response group = alice.createGroup(edge.port(), "<b>team</b>", bob.userId);
            String id = group.body().path("conversation_id").asText();
            JsonNode members = waitFor("the sink to store the group", () -> {
                TestClient.Response r = bob.http(edge.port(), "GET", "/v1/conversations/" + id + "/members", null);
                return r.status() == 200 && r.body().path("members").size() == 2 ? r.body() : null;
            });
            assertThat(members.path("name").asText()).isEqualTo("<b>team</b>");
            assertThat(members.path("type").asText()).isEqualTo("group");
            assertThat(members.path("admins").get(0).asText()).isEqualTo(alice.userId);
            assertThat(members.findValuesAsText("username")).containsExactlyInAnyOrder(aliceName, bobName(members));
            assertThat(mallory.http(edge.port(), "GET", "/v1/conversations/" + id + "/members", null)
                            .status())
                    .isEqualTo(403);
        }
    }

    private static String bobName(JsonNode members) {
        for (JsonNode m : members.path("members")) {
            if (m.path("username").asText().startsWith("bob")) {
                return m.path("username").asText();
            }
        }
        return null;
    }

    // ---- in the browser ---------------------------------------------------------------------------

    @Test
    void shouldChatBothWaysWithTicksTypingRepliesReactionsAndSurviveAReload() throws Exception {
        Chromium.assumeInstalled();
        String aliceName = name("alice");
        String bobName = name("bob");
        try (TestClient bobApi = TestClient.register(edge.port(), bobName)) {
            Window alice = Window.first();
            alice.open();
            alice.screenshot("signin");
            alice.signUp(aliceName);
            Window bob = Window.second();
            bob.open();
            bob.signIn(bobName);

            alice.type("direct-username", bobName);
            alice.click("#direct-form button");
            alice.waitForText("chat-title", bobName);
            alice.send("hello bob");
            waitFor(
                    "alice's message to be sent",
                    () -> alice.ticks().equals(List.of("sent")) || alice.ticks().equals(List.of("delivered")));

            waitFor(
                    "the conversation in bob's list with 1 unread",
                    () -> bob.js(
                            "const li = document.querySelector('#conversations li');"
                                    + " return li && li.querySelector('.unread').textContent === '1'"
                                    + " && li.querySelector('.preview').textContent === 'hello bob'"
                                    + " && li.querySelector('.name').textContent === arguments[0];",
                            aliceName));
            bob.screenshot("conversations");
            bob.click("#conversations li");
            waitFor("bob to see the message", () -> bob.bodies().equals(List.of("hello bob")));
            waitFor("alice's tick to go to read", () -> alice.ticks().equals(List.of("read")));
            waitFor("bob shown online to alice", () -> alice.text("chat-status").equals("online"));

            bob.activate();
            bob.driver.findElement(By.id("composer-input")).sendKeys("hi");
            waitFor("alice to see bob typing", () -> alice.text("chat-status").equals("typing…"));
            bob.activate();
            bob.click("#messages li[data-seq='1'] button.reply");
            bob.driver.findElement(By.id("composer-input")).sendKeys(" alice");
            bob.click("#send-button");
            waitFor("alice to see bob's reply", () -> alice.bodies().equals(List.of("hello bob", "hi alice")));
            waitFor("the typing line to clear", () -> alice.text("chat-status").equals("online"));
            assertThat(alice.js("return document.querySelector(\"#messages li[data-seq='2'] .quote\").textContent;"))
                    .isEqualTo("↩ You: hello bob");

            alice.activate();
            // the list re-renders as receipts arrive, and a new node's picker starts hidden (a CI run
            // met one between the two clicks): open it and pick in one step, again until it holds
            waitFor("alice to react", () -> {
                try {
                    alice.driver
                            .findElement(By.cssSelector("#messages li[data-seq='2'] button.react"))
                            .click();
                    alice.driver
                            .findElement(By.cssSelector("#messages li[data-seq='2'] .picker button"))
                            .click();
                    return true;
                } catch (StaleElementReferenceException
                        | NoSuchElementException
                        | org.openqa.selenium.ElementNotInteractableException e) {
                    return false;
                }
            });
            waitFor(
                    "bob to see alice's reaction",
                    () -> bob.js("const r = document.querySelector(\"#messages li[data-seq='2'] .reactions button\");"
                            + " return r !== null && r.textContent === '👍 1';"));
            alice.send("see you");
            waitFor("bob to read alice's second message", () -> alice.ticks().equals(List.of("read", "read")));
            alice.screenshot("chat");

            bob.activate();
            bob.driver.navigate().refresh();
            waitFor("the conversation to be open again after a reload", () -> bob.bodies()
                    .equals(List.of("hello bob", "hi alice", "see you")));
            assertThat(bob.text("chat-title")).isEqualTo(aliceName);
            assertThat(bob.ticks()).containsExactly("read");
            waitFor(
                    "alice's reaction kept over the reload",
                    () -> bob.js("const r = document.querySelector(\"#messages li[data-seq='2'] .reactions button\");"
                            + " return r !== null && r.textContent === '👍 1';"));

            // a phone-sized screen shows one pane at a time
            bob.driver.manage().window().setSize(new Dimension(390, 844));
            try {
                assertThat(bob.driver.findElement(By.id("sidebar")).isDisplayed())
                        .isFalse();
                assertThat(bob.driver.findElement(By.id("composer-input")).isDisplayed())
                        .isTrue();
                bob.screenshot("phone-chat");
                bob.click("#back-button");
                assertThat(bob.driver.findElement(By.id("sidebar")).isDisplayed())
                        .isTrue();
                assertThat(bob.driver.findElement(By.id("chat")).isDisplayed()).isFalse();
            } finally {
                bob.driver.manage().window().setSize(new Dimension(1100, 800));
            }
        }
    }

    @Test
    void shouldCreateAGroupAndLetItsAdminAddAndRemoveMembers() throws Exception {
        Chromium.assumeInstalled();
        try (TestClient aliceApi = user("alice");
                TestClient bobApi = user("bob");
                TestClient carolApi = user("carol")) {
            Window alice = Window.first().signedInAs(aliceApi);
            Window bob = Window.second().signedInAs(bobApi);

            alice.click("#group-box summary");
            alice.type("group-name", "Tea <script>");
            alice.type("group-members", usernameOf(bobApi));
            alice.click("#group-form button");
            alice.waitForText("chat-title", "Tea <script>");
            waitFor(
                    "the group in bob's list",
                    () -> bob.js("const n = document.querySelector('#conversations li .name');"
                            + " return n !== null && n.textContent === 'Tea <script>';"));

            alice.click("#members-button");
            waitFor(
                    "both members listed",
                    () -> alice.js(
                            "return document.querySelectorAll('#members-list li')"
                                    + ".length === 2 && document.querySelectorAll('#members-list button.remove').length === 1;"));
            alice.type("add-member-username", usernameOf(carolApi));
            alice.click("#add-member-form button");
            waitFor("carol in the group", () -> {
                TestClient.Response r = carolApi.http(edge.port(), "GET", "/v1/conversations", null);
                return r.body().path("conversations").size() == 1;
            });
            waitFor(
                    "three members listed",
                    () -> alice.js("return document.querySelectorAll('#members-list li').length === 3;"));
            alice.click("#members-list li[data-user='" + bobApi.userId + "'] button.remove");
            waitFor(
                    "the group gone from bob's list",
                    () -> bob.js("return document.querySelectorAll('#conversations li').length === 0;"));
            waitFor(
                    "two members listed",
                    () -> alice.js("return document.querySelectorAll('#members-list li').length === 2;"));
            assertThat(bob.js("return document.querySelector('#conversations li')"))
                    .isNull();
        }
    }

    @Test
    void shouldMakeOneGroupWhenTheAnswerToItsCreateIsLost() throws Exception {
        Chromium.assumeInstalled();
        try (TestClient aliceApi = user("alice");
                TestClient bobApi = user("bob")) {
            Window alice = Window.first().signedInAs(aliceApi);
            // the first create reaches the edge and makes the group, but the page is told 503, as
            // when the topology's answer comes after http.send.timeout.ms; every answer is kept
            alice.js("const real = window.fetch; window.creates = [];"
                    + " window.fetch = async (url, options) => {"
                    + "   const r = await real(url, options);"
                    + "   if (!options || options.method !== 'POST' || String(url) !== '/v1/conversations') return r;"
                    + "   window.creates.push({status: r.status, request: options.body, answer: await r.clone().text()});"
                    + "   if (window.creates.length > 1) return r;"
                    + "   return new Response('{\"code\":\"unavailable\",\"message\":\"no answer in time\"}',"
                    + "     {status: 503, headers: {'Content-Type': 'application/json'}});"
                    + " }; return null;");
            alice.click("#group-box summary");
            alice.type("group-name", "Retried");
            alice.type("group-members", usernameOf(bobApi));
            alice.click("#group-form button");
            alice.waitForText("chat-title", "Retried");

            JsonNode creates = TestClient.JSON.readTree((String) alice.js("return JSON.stringify(window.creates);"));
            assertThat(creates).as("the lost create and its retry").hasSize(2);
            assertThat(creates.get(0).path("status").asInt()).isEqualTo(201);
            assertThat(creates.get(1).path("status").asInt())
                    .as("the retry is answered as a repeat")
                    .isEqualTo(200);
            assertThat(TestClient.JSON
                            .readTree(creates.get(1).path("request").asText())
                            .path("id"))
                    .isEqualTo(TestClient.JSON
                            .readTree(creates.get(0).path("request").asText())
                            .path("id"));
            assertThat(TestClient.JSON
                            .readTree(creates.get(1).path("answer").asText())
                            .path("conversation_id"))
                    .as("the group the first create made")
                    .isEqualTo(TestClient.JSON
                            .readTree(creates.get(0).path("answer").asText())
                            .path("conversation_id"));
            assertThat(alice.js("return document.querySelectorAll('#conversations li').length;"))
                    .isEqualTo(1L);
        }
    }

    @Test
    void shouldShowAnHtmlBodyAsTextAndRunNothingAndNotifyWhileTheTabIsHidden() throws Exception {
        Chromium.assumeInstalled();
        String attack = "<img src=x onerror=alert(1)>";
        try (TestClient mallory = user("mallory");
                TestClient aliceApi = user("alice")) {
            Window alice = Window.first().signedInAs(aliceApi);
            // the tab hidden, notifications allowed: what a person away from the tab would be shown
            alice.js("window.shown = [];"
                    + " window.Notification = class { static permission = 'granted';"
                    + " constructor(title, options) { window.shown.push(options.body); } };"
                    + " Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});");
            String id = direct(mallory, aliceApi);
            say(mallory, id, attack);
            waitFor("a desktop notification", () -> alice.js("return window.shown.length === 1;"));
            assertThat(alice.js("return window.shown[0];")).isEqualTo(attack);
            alice.js("delete document.hidden;");
            waitFor(
                    "the body in alice's list",
                    () -> alice.js(
                            "const p = document.querySelector('#conversations li .preview');"
                                    + " return p !== null && p.textContent === arguments[0];",
                            attack));
            alice.click("#conversations li");
            waitFor("alice to see the body as text", () -> alice.bodies().equals(List.of(attack)));
            assertThat(alice.js("return document.querySelectorAll('#messages img, #conversations img').length;"))
                    .isEqualTo(0L);
            assertNoAlert(alice.driver);
        }
    }

    @Test
    void shouldLoadHistoryAcrossAPageBoundaryWhenScrolledUp() throws Exception {
        Chromium.assumeInstalled();
        try (TestClient bob = user("bob");
                TestClient aliceApi = user("alice")) {
            String id = direct(bob, aliceApi);
            bob.connect(edge.port());
            for (int i = 1; i <= 60; i++) {
                bob.send("{\"type\":\"send\",\"id\":\"h" + i + "\",\"conversation_id\":\"" + id + "\",\"body\":\"m" + i
                        + "\"}");
            }
            for (int i = 1; i <= 60; i++) {
                assertThat(bob.awaitType("sent", "h" + i).path("seq").asLong()).isEqualTo(i);
            }
            waitFor("the sink to store 60 messages", () -> {
                TestClient.Response r =
                        aliceApi.http(edge.port(), "GET", "/v1/conversations/" + id + "/messages?after=59", null);
                return r.status() == 200 && r.body().path("messages").size() == 1;
            });
            Window alice = Window.first().signedInAs(aliceApi);
            alice.awaitFirstConversation(".unread", "60");
            alice.click("#conversations li");
            waitFor("the newest page", () -> alice.seqs().size() == 50);
            assertThat(alice.seqs()).isEqualTo(range(11, 60));
            alice.js("document.getElementById('messages').scrollTop = 0;");
            waitFor("the older page", () -> alice.seqs().size() == 60);
            assertThat(alice.seqs()).isEqualTo(range(1, 60));
            assertThat(alice.bodies().get(0)).isEqualTo("m1");
            assertThat(alice.js("return document.querySelector('#messages .history-start') !== null;"))
                    .isEqualTo(true);
        }
    }

    @Test
    void shouldShowAMessageBeforeItsCommitAndTakeItBackWhenItsTransactionAborts() throws Exception {
        Chromium.assumeInstalled();
        try (TestClient aliceApi = user("alice").connect(edge.port());
                TestClient bobApi = user("bob")) {
            String id = direct(aliceApi, bobApi);
            say(aliceApi, id, "committed first");
            Window bob = openedOnItsFirstMessage(bobApi, "committed first");
            // every frame the page sends from here on, to see what it acknowledges
            bob.js("const c = parley.connection; const raw = c.raw.bind(c); window.sentFrames = [];"
                    + " c.raw = (f) => { window.sentFrames.push(f); return raw(f); };");
            String receiptsOfSeq2 = "return window.sentFrames.filter(f => (f.type === 'ack' || f.type === 'read')"
                    + " && f.seq >= 2).length;";

            // seq 2 written to this edge's delivery topic as ConversationTopology writes it, in a
            // transaction held open: only a socket that asked for early frames can see it yet
            String topic = dev.parley.schema.Topics.delivery(edgeId).name();
            dev.parley.schema.ParleySerdes serdes = new dev.parley.schema.ParleySerdes();
            dev.parley.schema.Delivery uncommitted = new dev.parley.schema.Delivery(
                    id,
                    List.of(bobApi.userId),
                    null,
                    new dev.parley.schema.ConversationEvent(
                            77_000_002L,
                            id,
                            2L,
                            java.time.Instant.now(),
                            aliceApi.userId,
                            0L,
                            new dev.parley.schema.MessagePosted(
                                    77_000_002L,
                                    "c-early",
                                    "not committed yet",
                                    List.of(),
                                    null,
                                    null,
                                    null,
                                    List.of(),
                                    List.of())),
                    false);
            try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
                    Map.<String, Object>of(
                            "bootstrap.servers",
                            fixture.bootstrap,
                            "transactional.id",
                            "web-early-" + UUID.randomUUID()),
                    new org.apache.kafka.common.serialization.StringSerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                                topic, 0, id, serdes.delivery().serialize(topic, uncommitted)))
                        .get();
                producer.flush();
                waitFor(
                        "bob to see seq 2 before any commit, shown as tentative, with nothing to act on",
                        () -> bob.js("const li = document.querySelector(\"#messages li[data-seq='2']\");"
                                + " return li !== null && li.dataset.tentative === '1'"
                                + " && li.querySelector('.body').textContent === 'not committed yet'"
                                + " && li.querySelector('.actions') === null;"));
                assertThat(bob.js("return parley.conversations.get(arguments[0]).messages.has(2);", id))
                        .as("not in the page's store of committed messages")
                        .isEqualTo(false);
                assertThat(bob.js(receiptsOfSeq2))
                        .as("no ack or read of a message not committed")
                        .isEqualTo(0L);
                producer.abortTransaction();
            }
            waitFor(
                    "the message taken back once its transaction aborted",
                    () -> bob.bodies().equals(List.of("committed first"))
                            && Boolean.TRUE.equals(
                                    bob.js("return document.querySelector('#messages li.tentative') === null;")));

            assertThat(bob.js(receiptsOfSeq2)).as("nor after it was taken back").isEqualTo(0L);

            // the seq is free again: the real second message is shown once, committed, and acked
            say(aliceApi, id, "the real second");
            waitFor(
                    "the real second message, committed",
                    () -> bob.bodies().equals(List.of("committed first", "the real second"))
                            && Boolean.TRUE.equals(bob.js(
                                    "return document.querySelector('#messages li.tentative') === null"
                                            + " && parley.conversations.get(arguments[0]).messages.has(2);",
                                    id)));
            assertThat((Long) bob.js(receiptsOfSeq2))
                    .as("the committed one acknowledged")
                    .isPositive();
            JsonNode read = aliceApi.await(f -> f.path("type").asText().equals("receipt")
                    && f.path("user").asText().equals(bobApi.userId)
                    && f.path("read").asLong() >= 2);
            assertThat(read.path("read").asLong())
                    .as("bob's page read the committed seq 2, never the one taken back")
                    .isEqualTo(2);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldHoldAtMostMaxHeldEarlyMessagesAndSettleEachOnce() throws Exception {
        Chromium.assumeInstalled();
        Window w = Window.first();
        w.open();
        // the page's own module, in the page: limit + 1 tentative frames, then each way to settle
        Map<String, Object> r =
                (Map<String, Object>) w.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + " import('/js/early.js').then(({ EarlyMessages, MAX_HELD }) => {"
                        + "  const e = new EarlyMessages();"
                        + "  const f = (seq) => ({ type: 'message', tentative: true, conversation_id: 'd_1', seq,"
                        + "    message_id: 'm' + seq, sender: 'u_a', body: 'b' + seq });"
                        + "  for (let seq = 1; seq <= MAX_HELD + 1; seq++) e.show(f(seq));"
                        + "  const held = e.of('d_1');"
                        + "  const c = (seq, id) => e.confirm({ conversation_id: 'd_1', seq, message_id: id });"
                        + "  done({ max: MAX_HELD, held: held.length, lowest: held[0].seq,"
                        + "    dropped: c(1, 'm1'), newest: c(MAX_HELD + 1, 'm' + (MAX_HELD + 1)),"
                        + "    newestAgain: c(MAX_HELD + 1, 'm' + (MAX_HELD + 1)), otherId: c(2, 'not-m2'),"
                        + "    retracted: e.settle('d_1', 3), retractedAgain: e.settle('d_1', 3),"
                        + "    left: e.of('d_1').length, elsewhere: e.of('d_2').length });"
                        + " }).catch((err) => done({ error: String(err) }));");
        assertThat(r.get("error")).isNull();
        assertThat(r.get("max"))
                .as("the edge's default delivery.early.max.pending")
                .isEqualTo(4096L);
        assertThat(r.get("held")).isEqualTo(4096L);
        assertThat(r.get("lowest")).as("the oldest dropped at limit + 1").isEqualTo(2L);
        assertThat(r.get("dropped")).as("its confirmation finds nothing held").isNull();
        Map<String, Object> newest = (Map<String, Object>) r.get("newest");
        assertThat(newest)
                .containsEntry("seq", 4097L)
                .containsEntry("body", "b4097")
                .doesNotContainKey("tentative");
        assertThat(r.get("newestAgain")).as("settled once").isNull();
        assertThat(r.get("otherId")).as("a confirmation of another message id").isNull();
        assertThat(r.get("retracted")).isEqualTo(true);
        assertThat(r.get("retractedAgain")).isEqualTo(false);
        assertThat(r.get("left")).as("4,096 less seqs 4097, 2 and 3").isEqualTo(4093L);
        assertThat(r.get("elsewhere")).isEqualTo(0L);
    }

    @Test
    void shouldLoseAndDoubleNothingWhenTheSocketDrops() throws Exception {
        Chromium.assumeInstalled();
        try (TestClient bob = user("bob");
                TestClient aliceApi = user("alice")) {
            String id = direct(bob, aliceApi);
            say(bob, id, "before");
            Window alice = openedOnItsFirstMessage(aliceApi, "before");

            // a send the socket drops under (its ack is lost), then one written while offline
            alice.js(
                    "new MutationObserver(() => { if (!document.getElementById('offline').hidden) window.offlineSeen = true; })"
                            + ".observe(document.getElementById('offline'), {attributes: true});"
                            + " const input = document.getElementById('composer-input');"
                            + " input.value = 'as it dropped'; document.getElementById('composer').requestSubmit();"
                            + " parley.connection.drop();"
                            + " input.value = 'while offline'; document.getElementById('composer').requestSubmit();");
            say(bob, id, "missed 1");
            say(bob, id, "missed 2");

            waitFor(
                    "every message once, in seq order, none pending",
                    () -> alice.seqs().equals(range(1, 5))
                            && Boolean.TRUE.equals(alice.js(
                                    "return document.querySelectorAll('#messages li[data-client-id]').length === 0;")));
            assertThat(alice.bodies())
                    .containsExactlyInAnyOrder("before", "as it dropped", "while offline", "missed 1", "missed 2");
            assertThat(alice.js("return window.offlineSeen === true;")).isEqualTo(true);
            waitFor("the banner to go", () -> alice.js("return document.getElementById('offline').hidden;"));

            JsonNode history = bob.http(edge.port(), "GET", "/v1/conversations/" + id + "/messages", null)
                    .body()
                    .path("messages");
            List<String> stored = new ArrayList<>();
            history.forEach(m -> stored.add(m.path("body").asText()));
            assertThat(stored)
                    .containsExactlyInAnyOrder("before", "as it dropped", "while offline", "missed 1", "missed 2");
        }
    }

    @Test
    void shouldEditAndDeleteOwnMessagesAndShowBothLiveAndAfterAReload() throws Exception {
        Chromium.assumeInstalled();
        try (TestClient aliceApi = user("alice");
                TestClient bobApi = user("bob")) {
            String id = direct(aliceApi, bobApi);
            say(aliceApi, id, "frist");
            say(aliceApi, id, "to be taken back");
            Window alice = Window.first().signedInAs(aliceApi);
            alice.click("#conversations li");
            waitFor("alice's messages", () -> alice.bodies().equals(List.of("frist", "to be taken back")));
            Window bob = Window.second().signedInAs(bobApi);
            bob.click("#conversations li");
            waitFor("bob to see them", () -> bob.bodies().size() == 2);
            // over the socket: the HTTP send takes no reply_to
            bobApi.connect(edge.port());
            bobApi.send("{\"type\":\"send\",\"id\":\"r1\",\"conversation_id\":\"" + id
                    + "\",\"body\":\"what did you say?\",\"reply_to\":2}");
            assertThat(bobApi.awaitType("sent", "r1").path("seq").asLong()).isEqualTo(3);
            waitFor("alice to see bob's reply", () -> alice.bodies().size() == 3);
            // only one's own messages offer Edit and Delete
            assertThat(alice.js("return document.querySelectorAll(\"#messages li[data-seq='3'] button.edit,"
                            + " #messages li[data-seq='3'] button.delete\").length;"))
                    .isEqualTo(0L);

            alice.click("#messages li[data-seq='1'] button.edit");
            alice.type("edit-input", "first");
            alice.click("#edit-form button[type=submit]");
            waitFor(
                    "bob to see the edit",
                    () -> bob.bodies().get(0).equals("first")
                            && Boolean.TRUE.equals(
                                    bob.js("return document.querySelector(\"#messages li[data-seq='1'] .edited\")"
                                            + " !== null;")));
            waitFor("alice to see her edit", () -> alice.bodies().get(0).equals("first"));

            alice.click("#messages li[data-seq='2'] button.delete");
            alice.click("#messages li[data-seq='2'] button.delete.confirm");
            waitFor(
                    "bob to see the tombstone and the reply to it",
                    () -> bob.bodies().equals(List.of("first", "This message was deleted", "what did you say?"))
                            && "↩ deleted message"
                                    .equals(bob.js(
                                            "return document.querySelector(\"#messages li[data-seq='3'] .quote\")"
                                                    + ".textContent;")));
            waitFor("alice to see it deleted", () -> alice.bodies().get(1).equals("This message was deleted"));
            assertThat(alice.js("return document.querySelectorAll(\"#messages li[data-seq='2'] .actions\").length;"))
                    .isEqualTo(0L);
            bob.screenshot("edits");

            // history carries both (edited_at, deleted:true) once the sink has stored them
            waitFor("the sink to store the delete", () -> bobApi.http(
                            edge.port(), "GET", "/v1/conversations/" + id + "/messages", null)
                    .body()
                    .path("messages")
                    .get(1)
                    .path("deleted")
                    .asBoolean());
            bob.activate();
            bob.driver.navigate().refresh();
            waitFor(
                    "the edit and the tombstone after a reload",
                    () -> bob.bodies().equals(List.of("first", "This message was deleted", "what did you say?"))
                            && Boolean.TRUE.equals(
                                    bob.js("return document.querySelector(\"#messages li[data-seq='1'] .edited\")"
                                            + " !== null && document.querySelector(\"#messages li[data-seq='3'] .quote\").textContent"
                                            + " === '↩ deleted message';")));
        }
    }

    @Test
    void shouldUploadAnImageWithProgressAndShowItsThumbnailToBothAndOpenTheOriginal() throws Exception {
        Chromium.assumeInstalled();
        Path picture = Files.createTempFile("beach", ".png");
        BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, 640, 480);
        g.dispose();
        ImageIO.write(image, "png", picture.toFile());
        try (TestClient aliceApi = user("alice");
                TestClient bobApi = user("bob")) {
            String id = direct(aliceApi, bobApi);
            say(bobApi, id, "send me the picture");
            Window bob = Window.second().signedInAs(bobApi);
            bob.click("#conversations li");
            Window alice = Window.first().signedInAs(aliceApi);
            alice.click("#conversations li");
            waitFor("alice's chat", () -> alice.bodies().equals(List.of("send me the picture")));
            alice.js("window.progressSeen = false;"
                    + " new MutationObserver(() => { if (!document.getElementById('upload-progress').hidden)"
                    + " window.progressSeen = true; }).observe(document.getElementById('upload-progress'),"
                    + " {attributes: true});"
                    + " document.getElementById('file-input').hidden = false;");
            alice.type("composer-input", "the beach");
            alice.driver.findElement(By.id("file-input")).sendKeys(picture.toString());
            String shown = "const img = document.querySelector(\"#messages li[data-seq='2'] .media img.thumb\");"
                    + " return img !== null && img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0;";
            waitFor("the thumbnail in alice's window", () -> alice.js(shown));
            waitFor("the thumbnail in bob's window", () -> bob.js(shown));
            assertThat(bob.bodies()).containsExactly("send me the picture", "the beach");
            assertThat(alice.js("return window.progressSeen;")).isEqualTo(true);
            bob.screenshot("media");

            int windows = bob.driver.getWindowHandles().size();
            bob.click("#messages li[data-seq='2'] .media button");
            waitFor(
                    "the original in a new tab",
                    () -> bob.driver.getWindowHandles().size() == windows + 1);
            String opened = bob.driver.getWindowHandles().stream()
                    .filter(h -> !Window.handles.contains(h))
                    .findFirst()
                    .orElseThrow();
            bob.driver.switchTo().window(opened);
            try {
                assertThat(bob.driver.getCurrentUrl()).startsWith("blob:");
            } finally {
                bob.driver.close();
                bob.activate();
            }
        } finally {
            Files.deleteIfExists(picture);
        }
    }

    @Test
    void shouldSearchAndJumpToTheHitInItsConversationAndNotShowHitsOfAConversationLeft() throws Exception {
        Chromium.assumeInstalled();
        try (TestClient aliceApi = user("alice");
                TestClient bobApi = user("bob")) {
            String chat = direct(bobApi, aliceApi);
            bobApi.connect(edge.port());
            // the hit is seq 1, a page older than the newest 50 the chat opens with
            for (int i = 1; i <= 55; i++) {
                String body = i == 1 ? "the kumquat recipe" : "filler " + i;
                bobApi.send("{\"type\":\"send\",\"id\":\"s" + i + "\",\"conversation_id\":\"" + chat + "\",\"body\":\""
                        + body + "\"}");
            }
            for (int i = 1; i <= 55; i++) {
                assertThat(bobApi.awaitType("sent", "s" + i).path("seq").asLong())
                        .isEqualTo(i);
            }
            TestClient.Response group = bobApi.createGroup(edge.port(), "Jam club", aliceApi.userId);
            String club = group.body().path("conversation_id").asText();
            say(bobApi, club, "kumquat jam on Friday");
            waitFor(
                    "both messages searchable",
                    () -> aliceApi.http(edge.port(), "GET", "/v1/search?q=kumquat", null)
                                    .body()
                                    .path("results")
                                    .size()
                            == 2);

            Window alice = Window.first().signedInAs(aliceApi);
            waitFor(
                    "both conversations listed",
                    () -> alice.js("return document.querySelectorAll('#conversations li').length === 2;"));
            alice.type("search-input", "Kumquat");
            alice.driver.findElement(By.id("search-input")).sendKeys(org.openqa.selenium.Keys.ENTER);
            waitFor(
                    "two hits",
                    () -> alice.js(
                            "return document.querySelectorAll('#search-results .search-hit').length" + " === 2;"));
            assertThat(alice.js("return [...document.querySelectorAll('#search-results .search-hit mark')]"
                            + ".map(m => m.textContent);"))
                    .isEqualTo(List.of("kumquat", "kumquat"));
            assertThat(alice.js(
                            "return document.querySelector(\"#search-results .search-hit[data-conversation='\""
                                    + " + arguments[0] + \"'] .hit-text\").textContent;",
                            chat))
                    .isEqualTo("the kumquat recipe");
            alice.screenshot("search");

            alice.js("window.highlighted = [];"
                    + " new MutationObserver((changes) => changes.forEach((c) => {"
                    + " if (c.target.classList.contains('highlight')) window.highlighted.push(c.target.dataset.seq); }))"
                    + ".observe(document.getElementById('messages'), {subtree: true, attributeFilter: ['class']});");
            alice.click("#search-results .search-hit[data-conversation='" + chat + "']");
            alice.waitForText("chat-title", usernameOf(bobApi));
            waitFor("the hit highlighted", () -> alice.js("return window.highlighted.includes('1');"));
            assertThat(alice.seqs()).isEqualTo(range(1, 55));
            assertThat(alice.js("const box = document.getElementById('messages').getBoundingClientRect();"
                            + " const hit = document.querySelector(\"#messages li[data-seq='1']\").getBoundingClientRect();"
                            + " return hit.top >= box.top && hit.bottom <= box.bottom;"))
                    .as("the hit scrolled into view")
                    .isEqualTo(true);
            assertThat(alice.js("return document.getElementById('search-results').hidden;"))
                    .isEqualTo(true);

            // alice leaves the group: its message is no longer hers to find
            alice.click("#conversations li[data-id='" + club + "']");
            alice.waitForText("chat-title", "Jam club");
            alice.click("#members-button");
            alice.click("#members-list button.leave");
            waitFor(
                    "the group gone from alice's list",
                    () -> alice.js("return document.querySelectorAll('#conversations li').length === 1;"));
            waitFor(
                    "the sink to store the leave",
                    () -> aliceApi.http(edge.port(), "GET", "/v1/conversations", null)
                                    .body()
                                    .path("conversations")
                                    .size()
                            == 1);
            alice.type("search-input", "kumquat");
            alice.driver.findElement(By.id("search-input")).sendKeys(org.openqa.selenium.Keys.ENTER);
            waitFor(
                    "one hit",
                    () -> alice.js(
                            "const hits = document.querySelectorAll('#search-results .search-hit');"
                                    + " return hits.length === 1 && hits[0].dataset.conversation === arguments[0];",
                            chat));
            assertThat(alice.js("return [...document.querySelectorAll('#search-results li')].map(l => l.textContent)"
                            + ".join(' ');"))
                    .asString()
                    .doesNotContain("Friday");
        }
    }

    @Test
    void shouldRegisterTheServiceWorkerShowAPushAndRegisterTheSubscriptionAsADevice() throws Exception {
        Chromium.assumeInstalled();
        try (TestClient aliceApi = user("alice")) {
            Window alice = Window.first().signedInAs(aliceApi);
            String origin = base.substring(0, base.length() - 1);
            @SuppressWarnings("unchecked")
            List<String> worker = (List<String>) waitFor(
                    "the service worker active",
                    () -> alice.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                            + " navigator.serviceWorker.getRegistration().then(r => done(r && r.active"
                            + " ? [r.scope, r.active.scriptURL, r.active.state] : null));"));
            assertThat(worker).containsExactly(base, base + "sw.js", "activated");

            // a push as the push sink sends it, delivered to the worker by the browser (DevTools)
            alice.driver.executeCdpCommand(
                    "Browser.grantPermissions", Map.of("origin", origin, "permissions", List.of("notifications")));
            alice.driver.executeCdpCommand("ServiceWorker.enable", Map.of());
            // the profile's only registration: Chromium numbers them from 0. A push delivered before
            // DevTools has listed the registrations is dropped, so each probe delivers it again (the
            // same tag: one notification replaces the other)
            Map<String, Object> push = Map.of(
                    "origin",
                    origin,
                    "registrationId",
                    "0",
                    "data",
                    "{\"title\":\"bob\",\"body\":\"<b>are you there?</b>\",\"conversation_id\":\"d_x\","
                            + "\"seq\":7,\"count\":1}");
            @SuppressWarnings("unchecked")
            List<Object> shown = (List<Object>) waitFor("the notification", () -> {
                alice.driver.executeCdpCommand("ServiceWorker.deliverPushMessage", push);
                return alice.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + " navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => done(ns.length"
                        + " ? [ns.length, ns[0].title, ns[0].body, ns[0].tag, ns[0].data.conversation_id,"
                        + " ns[0].data.seq] : null));");
            });
            assertThat(shown).containsExactly(1L, "bob", "<b>are you there?</b>", "d_x", "d_x", 7L);

            // Chromium's own PushManager needs Google's push service, unreachable here: in its place a
            // subscription as the browser makes one (a real P-256 key and auth secret), recording the
            // options it was asked with; the rest is the page and the real device API
            alice.driver.navigate().refresh();
            waitFor("the page signed in again", () -> alice.js("return !document.getElementById('app').hidden;"));
            alice.js("window.asked = null;"
                    + " PushManager.prototype.getSubscription = async function () { return null; };"
                    + " PushManager.prototype.subscribe = async function (options) {"
                    + "   window.asked = {userVisibleOnly: options.userVisibleOnly,"
                    + "     key: btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)))"
                    + "       .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')};"
                    + "   const pair = await crypto.subtle.generateKey({name: 'ECDH', namedCurve: 'P-256'}, true,"
                    + "     ['deriveBits']);"
                    + "   const b64 = (b) => btoa(String.fromCharCode(...new Uint8Array(b)))"
                    + "     .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');"
                    + "   const p256dh = b64(await crypto.subtle.exportKey('raw', pair.publicKey));"
                    + "   const auth = b64(crypto.getRandomValues(new Uint8Array(16)));"
                    + "   const endpoint = 'https://fcm.googleapis.com/fcm/send/' + crypto.randomUUID();"
                    + "   window.made = {endpoint, p256dh, auth};"
                    + "   return {endpoint, toJSON: () => ({endpoint, expirationTime: null, keys: {p256dh, auth}})};"
                    + " };");
            waitFor(
                    "the offer to enable notifications",
                    () -> alice.js("return !document.getElementById('notify-button').hidden;"));
            alice.click("#notify-button");
            waitFor("the subscription asked for", () -> alice.js("return window.asked !== null;"));
            assertThat(alice.js("return window.asked.userVisibleOnly;")).isEqualTo(true);
            assertThat(alice.js("return window.asked.key;")).isEqualTo(VAPID_PUBLIC_KEY);
            @SuppressWarnings("unchecked")
            Map<String, String> made = (Map<String, String>) alice.js("return window.made;");
            try (com.datastax.oss.driver.api.core.CqlSession cql = fixture.cql()) {
                com.datastax.oss.driver.api.core.cql.Row device = waitFor("the device registered", () -> cql.execute(
                                "SELECT device_id, platform, endpoint, p256dh, auth FROM devices WHERE user_id = ?",
                                aliceApi.userId)
                        .one());
                assertThat(device.getString("platform")).isEqualToIgnoringCase("webpush");
                assertThat(device.getString("endpoint")).isEqualTo(made.get("endpoint"));
                assertThat(device.getString("p256dh")).isEqualTo(made.get("p256dh"));
                assertThat(device.getString("auth")).isEqualTo(made.get("auth"));
                assertThat(device.getString("device_id")).startsWith("web_");
            }
            assertThat(alice.text("sidebar-error")).isEmpty();
        }
    }

    @Test
    void shouldShowTheLargestBodyAndThirtyTwoAttachmentsAndALongListWithoutBreakingTheLayout() throws Exception {
        Chromium.assumeInstalled();
        try (TestClient aliceApi = user("alice");
                TestClient bobApi = user("bob")) {
            String id = direct(bobApi, aliceApi);
            // max.body.bytes (64 KiB) of one unbroken word: nothing for the layout to break it at
            String longest = "w".repeat(64 * 1024);
            say(bobApi, id, longest);
            List<String> media = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
                image.setRGB(0, 0, Color.BLUE.getRGB());
                java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
                ImageIO.write(image, "png", png);
                HttpResponse<String> uploaded = HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "v1/media?filename=p" + i + ".png"))
                                .header("Authorization", "Bearer " + bobApi.token)
                                .header("Content-Type", "image/png")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(png.toByteArray()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
                media.add(TestClient.JSON
                        .readTree(uploaded.body())
                        .path("media_id")
                        .asText());
            }
            com.fasterxml.jackson.databind.node.ObjectNode send = TestClient.JSON
                    .createObjectNode()
                    .put("id", UUID.randomUUID().toString())
                    .put("body", "32 " + "x".repeat(300));
            media.forEach(send.putArray("media")::add);
            TestClient.Response sent =
                    bobApi.http(edge.port(), "POST", "/v1/conversations/" + id + "/messages", send.toString());
            assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
            // a long conversation list: 60 more conversations, rows as the Cassandra sink writes them
            fixture.seedConversations(aliceApi.userId, 60);
            waitFor(
                    "the sink to store both messages",
                    () -> aliceApi.http(edge.port(), "GET", "/v1/conversations/" + id + "/messages", null)
                                    .body()
                                    .path("messages")
                                    .size()
                            == 2);

            Window alice = Window.first().signedInAs(aliceApi);
            waitFor(
                    "61 conversations listed",
                    () -> alice.js("return document.querySelectorAll('#conversations li').length === 61;"));
            alice.click("#conversations li[data-id='" + id + "']");
            waitFor("both messages", () -> alice.bodies().size() == 2);
            // folded to its start, the whole a click away
            assertThat(alice.bodies().get(0)).isEqualTo("w".repeat(3000) + "…");
            alice.click("#messages li[data-seq='1'] button.more");
            waitFor("the whole body", () -> alice.bodies().get(0).equals(longest));
            assertThat(alice.js("return document.querySelector(\"#messages li[data-seq='1'] button.more\");"))
                    .isNull();
            waitFor(
                    "32 thumbnails shown",
                    () -> alice.js(
                            "const imgs = document.querySelectorAll(\"#messages li[data-seq='2'] .media img.thumb\");"
                                    + " return imgs.length === 32 && [...imgs].every(i => i.complete && i.naturalWidth > 0);"));
            String fits = "const page = document.scrollingElement;"
                    + " const list = document.getElementById('messages');"
                    + " const box = list.getBoundingClientRect();"
                    + " const out = [...list.querySelectorAll('li.message')].filter(li => {"
                    + "   const r = li.getBoundingClientRect(); return r.left < box.left - 1 || r.right > box.right + 1; });"
                    + " const side = document.getElementById('conversations');"
                    + " return page.scrollWidth <= innerWidth && page.scrollHeight <= innerHeight"
                    + "   && list.scrollWidth <= list.clientWidth && out.length === 0"
                    + "   && side.scrollWidth <= side.clientWidth"
                    + "   && document.getElementById('composer').getBoundingClientRect().bottom <= innerHeight"
                    + "   && document.getElementById('chat-error').textContent === ''"
                    + "   && document.getElementById('sidebar-error').textContent === '';";
            assertThat(alice.js(fits)).as("no overflow at 1100 x 800").isEqualTo(true);
            assertThat(alice.js("const s = document.getElementById('conversations');"
                            + " return s.scrollHeight > s.clientHeight;"))
                    .as("the long list scrolls inside the sidebar")
                    .isEqualTo(true);
            alice.screenshot("bounds");
            alice.driver.manage().window().setSize(new Dimension(390, 844));
            try {
                waitFor("no overflow on a phone", () -> alice.js(fits));
                alice.screenshot("phone-bounds");
            } finally {
                alice.driver.manage().window().setSize(new Dimension(1100, 800));
            }
            // the longest body as the reply being composed and as a search hit
            // the list is re-rendered as receipts and presence arrive: a click on a replaced node is lost,
            // so it is made again until the reply bar shows
            waitFor(
                    "the reply bar shown, ellipsized",
                    () -> alice.js("const reply = document.getElementById('reply-bar');"
                            + " if (reply.hidden) {"
                            + "   document.querySelector(\"#messages li[data-seq='1'] button.reply\").click(); return false; }"
                            + " return reply.scrollWidth <= reply.clientWidth"
                            + " && document.getElementById('reply-text').textContent.length > 65536;"));
            // the 64 KiB word is indexed as 255-character tokens and a last "w" (the standard tokenizer)
            alice.type("search-input", "w");
            alice.driver.findElement(By.id("search-input")).sendKeys(org.openqa.selenium.Keys.ENTER);
            waitFor(
                    "the long message found",
                    () -> alice.js("return document.querySelector('#search-results .search-hit') !== null;"));
            assertThat(alice.js(fits)).as("no overflow with the long hit").isEqualTo(true);
            assertThat(alice.js("const hits = document.getElementById('search-results');"
                            + " return hits.scrollWidth <= hits.clientWidth;"))
                    .as("the long hit wraps")
                    .isEqualTo(true);
            alice.screenshot("search-long");
        }
    }

    /** A VAPID public key as the push sink is configured with: an uncompressed P-256 point, base64url. */
    private static String vapidPublicKey() {
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
            generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            java.security.interfaces.ECPublicKey key = (java.security.interfaces.ECPublicKey)
                    generator.generateKeyPair().getPublic();
            byte[] point = new byte[65];
            point[0] = 4;
            copyUnsigned(key.getW().getAffineX().toByteArray(), point, 1);
            copyUnsigned(key.getW().getAffineY().toByteArray(), point, 33);
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(point);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A big-endian integer into 32 bytes at {@code at} (toByteArray adds a sign byte or drops zeros). */
    private static void copyUnsigned(byte[] value, byte[] into, int at) {
        int length = Math.min(value.length, 32);
        System.arraycopy(value, value.length - length, into, at + 32 - length, length);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    /** {@code from} sends {@code text} to conversation {@code id} over HTTP; it is sequenced on return. */
    private static void say(TestClient from, String id, String text) throws Exception {
        String body = TestClient.JSON
                .createObjectNode()
                .put("id", UUID.randomUUID().toString())
                .put("body", text)
                .toString();
        TestClient.Response sent = from.http(edge.port(), "POST", "/v1/conversations/" + id + "/messages", body);
        assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
    }

    /** {@code reader}'s window, signed in, its only conversation open on {@code body}, its socket open. */
    private static Window openedOnItsFirstMessage(TestClient reader, String body) throws Exception {
        Window w = Window.first().signedInAs(reader);
        w.awaitFirstConversation(".preview", body);
        w.click("#conversations li");
        waitFor("the first message", () -> w.bodies().equals(List.of(body)));
        waitFor("the socket to be open", () -> w.js("return parley.connection.isOpen;"));
        return w;
    }

    private static String direct(TestClient from, TestClient to) throws Exception {
        TestClient.Response created = from.http(
                edge.port(), "POST", "/v1/conversations", "{\"type\":\"direct\",\"members\":[\"" + to.userId + "\"]}");
        assertThat(created.status()).isIn(200, 201);
        return created.body().path("conversation_id").asText();
    }

    private static final Map<String, String> NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    /** A fresh user registered over HTTP, whose username {@link #usernameOf} knows. */
    private static TestClient user(String base) throws Exception {
        String username = name(base);
        TestClient client = TestClient.register(edge.port(), username);
        NAMES.put(client.userId, username);
        return client;
    }

    private static String usernameOf(TestClient client) {
        return NAMES.get(client.userId);
    }

    private static void assertNoAlert(WebDriver driver) {
        try {
            driver.switchTo().alert();
            throw new AssertionError("an alert was opened: a message body ran as script");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path.substring(1))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A condition to wait for: null or false means not yet. */
    @FunctionalInterface
    private interface Probe<T> {
        T get() throws Exception;
    }

    private static <T> T waitFor(String what, Probe<T> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            T value = condition.get();
            if (value != null && !Boolean.FALSE.equals(value)) {
                return value;
            }
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** A window of the one Chromium: its own sessionStorage, so its own signed-in user. */
    private static final class Window {
        private static final List<String> handles = new ArrayList<>();
        final ChromeDriver driver;
        final String handle;

        private Window(ChromeDriver driver, String handle) {
            this.driver = driver;
            this.handle = handle;
        }

        static Window first() throws Exception {
            return nth(0);
        }

        static Window second() throws Exception {
            return nth(1);
        }

        private static synchronized Window nth(int n) throws Exception {
            ChromeDriver driver = Chromium.driver();
            if (handles.isEmpty()) {
                handles.add(driver.getWindowHandle());
            }
            while (handles.size() <= n) {
                driver.switchTo().newWindow(WindowType.WINDOW);
                handles.add(driver.getWindowHandle());
            }
            return new Window(driver, handles.get(n));
        }

        void activate() {
            driver.switchTo().window(handle);
        }

        /** The page, signed out (a window is reused by the next test). */
        void open() {
            activate();
            driver.get(base);
            driver.executeScript("sessionStorage.clear();");
            driver.get(base);
        }

        void signUp(String username) throws Exception {
            activate();
            type("signin-username", username);
            type("signin-password", PASSWORD);
            type("signin-display", "");
            click("#signup-button");
            waitFor("the conversation list", () -> js("return !document.getElementById('app').hidden;"));
        }

        /** This window, on the page and signed in as {@code user} (registered with {@link #user}). */
        Window signedInAs(TestClient user) throws Exception {
            open();
            signIn(usernameOf(user));
            return this;
        }

        void signIn(String username) throws Exception {
            activate();
            type("signin-username", username);
            type("signin-password", PASSWORD);
            click("#signin-button");
            waitFor("the conversation list", () -> js("return !document.getElementById('app').hidden;"));
        }

        /** Waits for the first conversation of the list to show {@code text} in its {@code part}. */
        void awaitFirstConversation(String part, String text) throws Exception {
            waitFor(
                    "the conversation in the list showing " + text,
                    () -> js(
                            "const n = document.querySelector('#conversations li ' + arguments[0]);"
                                    + " return n !== null && n.textContent === arguments[1];",
                            part,
                            text));
        }

        void type(String id, String text) {
            activate();
            driver.findElement(By.id(id)).clear();
            if (!text.isEmpty()) {
                driver.findElement(By.id(id)).sendKeys(text);
            }
        }

        /** Clicks as a person does; the page re-renders lists as frames arrive, so a node found may be replaced. */
        void click(String css) throws Exception {
            activate();
            waitFor("to click " + css, () -> {
                try {
                    driver.findElement(By.cssSelector(css)).click();
                    return true;
                } catch (StaleElementReferenceException | NoSuchElementException e) {
                    return false;
                }
            });
        }

        void send(String text) throws Exception {
            type("composer-input", text);
            click("#send-button");
        }

        void waitForText(String id, String text) throws Exception {
            waitFor(id + " to read " + text, () -> text(id).equals(text));
        }

        String text(String id) {
            return (String) js("return document.getElementById(arguments[0]).textContent;", id);
        }

        @SuppressWarnings("unchecked")
        List<String> bodies() {
            return (List<String>) js("return [...document.querySelectorAll('#messages li.message .body')]"
                    + ".map(b => b.textContent);");
        }

        @SuppressWarnings("unchecked")
        List<String> ticks() {
            return (List<String>) js("return [...document.querySelectorAll('#messages li.message .tick')]"
                    + ".map(t => t.dataset.tick);");
        }

        @SuppressWarnings("unchecked")
        List<Long> seqs() {
            return (List<Long>) js("return [...document.querySelectorAll('#messages li.message[data-seq]')]"
                    + ".map(li => Number(li.dataset.seq));");
        }

        Object js(String script, Object... args) {
            activate();
            return driver.executeScript(script, args);
        }

        void screenshot(String screen) throws Exception {
            activate();
            Files.copy(
                    driver.getScreenshotAs(OutputType.FILE).toPath(),
                    SHOTS.resolve(screen + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
