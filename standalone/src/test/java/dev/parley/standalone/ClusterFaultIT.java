package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.connect.cassandra.CassandraSinkConfig;
import dev.parley.edge.EdgeMain;
import dev.parley.edge.EdgeSettings;
import dev.parley.edge.Migrate;
import dev.parley.testkit.CassandraNodeExtension;
import dev.parley.testkit.FreePorts;
import dev.parley.testkit.KafkaCluster;
import dev.parley.testkit.RedisServerExtension;
import dev.parley.topology.TopologyMain;
import dev.parley.topology.TopologySettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cluster mode under faults, in one test JVM plus one forked topology JVM: three real brokers
 * (replication 3, min.insync.replicas 2), two topology instances, two edges, the Cassandra sink in
 * a Connect worker, real WebSocket clients on both edges. During a steady stream of sends one broker
 * stops and the forked topology instance is SIGKILLed. Afterwards every message that got a {@code
 * sent} ack is in history exactly once, seqs are dense, and every client, after catching up from
 * history past what it saw live, has no gap.
 */
@ExtendWith({RedisServerExtension.class, CassandraNodeExtension.class})
class ClusterFaultIT {

    private static final String SECRET = "cluster-fault-test-secret-0123456789";
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    /** One user's socket: what it sent, what was acked, what it received live. */
    private final class Client {
        final String user;
        final String token;
        final int edgePort;
        final Map<String, String> pending = new ConcurrentHashMap<>(); // client id -> conversation
        final Map<String, Long> sentAt = new ConcurrentHashMap<>(); // client id -> last (re)send
        final Map<String, Long> firstSentAt = new ConcurrentHashMap<>(); // client id -> first send
        private final List<Wait> waits = new ArrayList<>(); // guarded by this
        final Map<String, Long> acked = new ConcurrentHashMap<>(); // client id -> seq
        final Map<String, List<Long>> received = new ConcurrentHashMap<>(); // conversation -> seqs
        WebSocket socket;
        CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

        Client(String user, String token, int edgePort) {
            this.user = user;
            this.token = token;
            this.edgePort = edgePort;
        }

        void connect() throws Exception {
            socket = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create("ws://127.0.0.1:" + edgePort + "/v1/ws"), new WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                onFrame(partial.toString());
                                partial.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }
                    })
                    .get(30, TimeUnit.SECONDS);
        }

        private void onFrame(String text) {
            try {
                JsonNode f = json.readTree(text);
                switch (f.path("type").asText()) {
                    case "sent" -> {
                        String id = f.path("id").asText();
                        // the wait is recorded before the send stops being pending, so a reader that
                        // sees nothing pending also sees every wait
                        if (pending.containsKey(id) || !acked.containsKey(id)) {
                            recordWait(id, System.nanoTime());
                            acked.put(id, f.path("seq").asLong());
                            pending.remove(id);
                        }
                    }
                    case "message" ->
                        received.computeIfAbsent(
                                        f.path("conversation_id").asText(),
                                        c -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(f.path("seq").asLong());
                    default -> {}
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private synchronized void recordWait(String id, long ackedAt) {
            Long first = firstSentAt.get(id);
            if (first != null) {
                waits.add(new Wait(ackedAt - first, id, ackedAt, edgePort));
            }
        }

        synchronized List<Wait> waits() {
            return List.copyOf(waits);
        }

        /** Forgets the waits so far: the settling round is not part of what the faults cost. */
        synchronized void forgetWaits() {
            waits.clear();
        }

        /** Sends (or re-sends, with the same id: the topology's dedup returns the original seq). */
        synchronized void send(String id, String conversation) {
            pending.put(id, conversation);
            sentAt.put(id, System.nanoTime());
            firstSentAt.putIfAbsent(id, System.nanoTime());
            String frame = "{\"type\":\"send\",\"id\":\"" + id + "\",\"conversation_id\":\"" + conversation
                    + "\",\"body\":\"" + id + "\"}";
            lastSend = lastSend.thenCompose(x -> socket.sendText(frame, true)).exceptionally(e -> null);
        }
    }

    /** One send's wait from its first try to its ack, in nanoseconds, when the ack came, and on which edge. */
    private record Wait(long nanos, String id, long ackedAt, int edgePort) {
        long firstSentAt() {
            return ackedAt - nanos;
        }
    }

    @Test
    void shouldKeepEveryAckedMessageExactlyOnceThroughABrokerAndATopologyInstanceLoss() throws Exception {
        String keyspace = CassandraNodeExtension.newMigratedKeyspace();
        String prefix = RedisServerExtension.newKeyPrefix();
        String appId = "fault-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaCluster kafka = KafkaCluster.start(3)) {
            String bootstrap = kafka.bootstrapServers();
            // the compose migrate service's step: the topologies and edges only check the catalogue
            Migrate.topics(new EdgeSettings(Map.of(
                    EdgeSettings.BOOTSTRAP_SERVERS, bootstrap,
                    EdgeSettings.REPLICATION_FACTOR, "3",
                    EdgeSettings.MIN_INSYNC_REPLICAS, "2",
                    EdgeSettings.TOPIC_PARTITIONS, "4")));
            Map<String, Object> topology = new HashMap<>();
            topology.put(TopologySettings.BOOTSTRAP_SERVERS, bootstrap);
            topology.put(TopologySettings.APPLICATION_ID, appId);
            topology.put(TopologySettings.NOTIFICATION_APPLICATION_ID, appId + "-notify");
            topology.put(TopologySettings.REDIS_URL, RedisServerExtension.url());
            topology.put(TopologySettings.REDIS_KEY_PREFIX, prefix);
            topology.put(TopologySettings.REPLICATION_FACTOR, "3");
            topology.put(TopologySettings.MIN_INSYNC_REPLICAS, "2");
            topology.put(TopologySettings.TOPIC_PARTITIONS, "4");
            topology.put(TopologySettings.SESSION_TIMEOUT_MS, "10000");
            topology.put(TopologySettings.METRICS_PORT, "0"); // two instances on one machine
            Process doomed = fork(topology);
            topology.put(
                    TopologySettings.STATE_DIR,
                    Files.createTempDirectory("fault-topology-b").toString());
            try (TopologyMain.RunningTopology survivor = TopologyMain.start(new TopologySettings(topology));
                    EdgeMain.RunningEdge edge1 = EdgeMain.start(edge("e1", bootstrap, keyspace, prefix, appId));
                    EdgeMain.RunningEdge edge2 = EdgeMain.start(edge("e2", bootstrap, keyspace, prefix, appId))) {
                EmbeddedConnect connect =
                        new EmbeddedConnect(Files.createTempDirectory("fault-connect"), bootstrap, FreePorts.next(), 0);
                connect.start();
                Map<String, String> sink = SinkDeployments.cassandraSink(
                        CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port());
                sink.put(CassandraSinkConfig.KEYSPACE, keyspace);
                connect.deploy(sink);
                try {
                    run(kafka, doomed, appId, edge1.port(), edge2.port());
                } finally {
                    connect.close();
                }
            } finally {
                doomed.destroyForcibly();
            }
        }
    }

    private void run(KafkaCluster kafka, Process doomed, String appId, int port1, int port2) throws Exception {
        // The faults hit a settled cluster, as they would in production: both topology instances own
        // partitions in each application's group before the first command (in CI a conversation
        // create sent while the forked instance was still joining got no answer in 5 s), and a
        // round of sends to every conversation is acked, so a send's wait measures the faults, not
        // the start.
        long settling = System.nanoTime();
        awaitTwoInstances(kafka.bootstrapServers(), List.of(appId, appId + "-notify", appId + "-signals"));

        // six users, alternately on the two edges; a direct conversation per pair across edges and one group
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String name = "user" + i;
            int port = i % 2 == 0 ? port1 : port2;
            JsonNode created =
                    post(port, "/v1/users", null, "{\"username\":\"" + name + "\",\"password\":\"correct horse\"}");
            JsonNode login =
                    post(port, "/v1/tokens", null, "{\"username\":\"" + name + "\",\"password\":\"correct horse\"}");
            clients.add(new Client(
                    created.path("user_id").asText(), login.path("access_token").asText(), port));
        }
        Map<Client, String> directOf = new HashMap<>();
        for (int i = 0; i < 6; i += 2) {
            // a direct conversation's id is its two members', and the group's is derived from its
            // creator and the create's id, so a create that got 503 is retried as a client would
            JsonNode direct = postRetryingUnavailable(
                    port1,
                    "/v1/conversations",
                    clients.get(i).token,
                    "{\"type\":\"direct\",\"members\":[\"" + clients.get(i + 1).user + "\"]}");
            directOf.put(clients.get(i), direct.path("conversation_id").asText());
            directOf.put(clients.get(i + 1), direct.path("conversation_id").asText());
        }
        StringBuilder members = new StringBuilder();
        for (int i = 1; i < 6; i++) {
            members.append(i > 1 ? "," : "")
                    .append('"')
                    .append(clients.get(i).user)
                    .append('"');
        }
        String group = postRetryingUnavailable(
                        port1,
                        "/v1/conversations",
                        clients.get(0).token,
                        "{\"type\":\"group\",\"name\":\"all\",\"id\":\"fault-group\",\"members\":[" + members + "]}")
                .path("conversation_id")
                .asText();
        for (Client c : clients) {
            c.connect();
        }
        Thread.sleep(1_500); // sessions visible to the router

        int n = 0;
        for (; n < 2; n++) { // n even: the pair's direct conversation, odd: the group (isIn)
            for (Client c : clients) {
                c.send(c.user + "-" + n, n % 2 == 0 ? directOf.get(c) : group);
            }
        }
        long settleDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (clients.stream().anyMatch(c -> !c.pending.isEmpty()) && System.nanoTime() < settleDeadline) {
            retryUnacked(clients, Duration.ofSeconds(3));
            Thread.sleep(50);
        }
        assertThat(clients).as("the first round acked before the faults").allSatisfy(c -> assertThat(c.pending)
                .isEmpty());
        System.out.printf(
                "cluster fault run: both topology instances settled and a round to every conversation acked in %.1f s%n",
                seconds(System.nanoTime() - settling));
        clients.forEach(Client::forgetWaits);

        // 22 s of sends, 5 per second per client (30/s in all: at 60/s, with the resends of whatever
        // waited 3 s, this 2-core machine running 3 brokers, 2 topology instances, 2 edges, Connect
        // and Cassandra fell behind before any fault, and the test measured its backlog);
        // a broker stops at 5 s, the forked topology dies at 10 s
        long start = System.nanoTime();
        long brokerStoppedAt = 0; // 0: not yet
        long killedAt = 0;
        while (System.nanoTime() - start < Duration.ofSeconds(22).toNanos()) {
            long elapsed = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            if (brokerStoppedAt == 0 && elapsed >= 5) {
                kafka.stopBroker(kafka.brokerIds().get(1));
                brokerStoppedAt = System.nanoTime();
            }
            if (killedAt == 0 && elapsed >= 10) {
                doomed.destroyForcibly().waitFor(); // SIGKILL: no commit, no leaving the group
                killedAt = System.nanoTime();
            }
            for (Client c : clients) {
                String conversation = n % 2 == 0 ? directOf.get(c) : group;
                c.send(c.user + "-" + n, conversation);
            }
            n++;
            retryUnacked(clients, Duration.ofSeconds(3));
            Thread.sleep(200);
        }
        // a real client resends what was not acknowledged, with the same id, until it is
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (clients.stream().anyMatch(c -> !c.pending.isEmpty()) && System.nanoTime() < deadline) {
            retryUnacked(clients, Duration.ofSeconds(3));
            Thread.sleep(1_000);
        }
        assertThat(clients)
                .allSatisfy(c ->
                        assertThat(c.pending).as("unacked sends of %s", c.user).isEmpty());

        // How long the faults held a send up, from its first send to its ack (the resends use the
        // same id): the group notices the lost instance after session.timeout.ms (10 s); until the
        // broker aborts the dead instance's open transaction (transaction.timeout.ms, 10 s, then the
        // coordinator's next scan, every 1 s in KafkaCluster as in docker-compose.yml) no
        // read_committed reader gets past it on the delivery partitions it wrote, so no edge sees an
        // ack there, whoever produced it; and a client resends 3 s after its last try. Measured
        // (BENCHMARKS.md, "Session 11"): 11.3 s with the 1 s scan, 16.3 s with the broker's default
        // 10 s; at 60 sends/s this machine also fell behind before any fault (waits growing to 9 s
        // in the first 5 s), which with the 10 s scan made the 20 to 46 s of session 10's CI runs.
        // Kafka 4.2.0's admin client kept the stopped broker as a changelog's cached leader, and
        // every rebalance after the broker stop spent default.api.timeout.ms (60 s) in the
        // assignor's end-offset lookup (KAFKA-20673): a wait of the session timeout plus that, 70 s
        // and more (72.7 s measured), which this bound rejects.
        List<Wait> waits = clients.stream().flatMap(c -> c.waits().stream()).toList();
        assertThat(waits).as("a send was acked").isNotEmpty();
        Wait slowest = waits.stream().max(Comparator.comparingLong(Wait::nanos)).orElseThrow();
        long longestWaitMs = slowest.nanos() / 1_000_000;
        System.out.printf(
                "cluster fault run: longest wait from a first send to its ack %d ms (%s, first sent at %.1f s, acked"
                        + " at %.1f s; broker stop returned at %.1f s, topology instance killed at %.1f s)%n",
                longestWaitMs,
                slowest.id(),
                seconds(slowest.firstSentAt() - start),
                seconds(slowest.ackedAt() - start),
                seconds(brokerStoppedAt - start),
                seconds(killedAt - start));
        // which second's sends waited, and on which edge: in CI a send first tried before either
        // fault once waited 37 s, which no run alone reproduced; this line is how a CI log shows why
        printWaitsBySecond(waits, start, port1);
        assertThat(longestWaitMs)
                .as("longest wait for an ack across the faults, ms")
                .isLessThan(60_000L);

        long ackedTotal = clients.stream().mapToLong(c -> c.acked.size()).sum();
        // every send acked once, and enough of them to span both faults (the pace is the machine's:
        // a loaded build manages fewer than the 5 rounds a second asked for; about 95 alone)
        assertThat(ackedTotal)
                .as("sends acked across the faults")
                .isEqualTo((long) n * clients.size())
                .isGreaterThan(60L * clients.size());
        int catchUps = 0;
        Set<String> conversations = new TreeSet<>(directOf.values());
        conversations.add(group);
        for (String conversation : conversations) {
            Map<Long, String> ackedBySeq = new TreeMap<>();
            for (Client c : clients) {
                c.acked.forEach((id, seq) -> {
                    if (id.startsWith(c.user) && isIn(c, id, conversation, directOf, group)) {
                        String before = ackedBySeq.put(seq, id);
                        assertThat(before)
                                .as("seq %d of %s acked for two sends", seq, conversation)
                                .isNull();
                    }
                });
            }
            long last = ((TreeMap<Long, String>) ackedBySeq).lastKey();
            Client reader = clients.stream()
                    .filter(c -> conversation.equals(group) || conversation.equals(directOf.get(c)))
                    .findFirst()
                    .orElseThrow();
            List<JsonNode> history = history(reader, conversation, last);
            List<Long> seqs = history.stream().map(m -> m.path("seq").asLong()).toList();
            assertThat(seqs).as("dense seqs in %s", conversation).isEqualTo(range(1, last));
            List<String> bodies =
                    history.stream().map(m -> m.path("body").asText()).toList();
            assertThat(new TreeSet<>(bodies))
                    .as("no message twice in %s", conversation)
                    .hasSize(bodies.size());
            ackedBySeq.forEach((seq, id) -> assertThat(bodies.get((int) (seq - 1)))
                    .as("acked %s at seq %d", id, seq)
                    .isEqualTo(id));
            for (Client c : clients) {
                List<Long> live = c.received.getOrDefault(conversation, List.of());
                if (!conversation.equals(group) && !conversation.equals(directOf.get(c))) {
                    continue;
                }
                assertThat(new TreeSet<>(live))
                        .as("%s saw a seq twice live", c.user)
                        .hasSize(live.size());
                assertThat(live).as("%s saw %s in order", c.user, conversation).isSorted();
                // what the client knows: messages seen live plus its own acked sends
                TreeSet<Long> seen = new TreeSet<>(live);
                c.acked.forEach((id, seq) -> {
                    if (isIn(c, id, conversation, directOf, group)) {
                        seen.add(seq);
                    }
                });
                long contiguous = 0;
                while (seen.contains(contiguous + 1)) {
                    contiguous++;
                }
                if (contiguous < last) {
                    catchUps++;
                }
                // catch-up as a client does it: history after the last seq it holds without a hole
                for (JsonNode m : history(c, conversation, last, contiguous)) {
                    seen.add(m.path("seq").asLong());
                }
                assertThat(seen).as("%s after catch-up", c.user).containsExactlyElementsOf(range(1, last));
            }
        }
        summary(ackedTotal, catchUps);
    }

    private static void summary(long acked, int catchUps) {
        System.out.printf(
                "cluster fault run: %d sends acked; %d (client, conversation) pairs caught up from history%n",
                acked, catchUps);
    }

    /** One line: per second of first sends, how many, their mean and longest wait, and the longest on each edge. */
    private static void printWaitsBySecond(List<Wait> waits, long start, int port1) {
        Map<Long, List<Wait>> bySecond = new TreeMap<>();
        for (Wait w : waits) {
            bySecond.computeIfAbsent(Math.max(0, (w.firstSentAt() - start) / 1_000_000_000L), s -> new ArrayList<>())
                    .add(w);
        }
        StringBuilder line = new StringBuilder(
                "cluster fault run: waits by the second first sent (n, mean / max s, max on e1 / e2):");
        bySecond.forEach((second, inSecond) -> line.append(String.format(
                " [%d: %d, %.1f / %.1f, %.1f / %.1f]",
                second,
                inSecond.size(),
                seconds((long)
                        inSecond.stream().mapToLong(Wait::nanos).average().orElse(0)),
                seconds(inSecond.stream().mapToLong(Wait::nanos).max().orElse(0)),
                seconds(inSecond.stream()
                        .filter(w -> w.edgePort() == port1)
                        .mapToLong(Wait::nanos)
                        .max()
                        .orElse(0)),
                seconds(inSecond.stream()
                        .filter(w -> w.edgePort() != port1)
                        .mapToLong(Wait::nanos)
                        .max()
                        .orElse(0)))));
        System.out.println(line);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static boolean isIn(Client c, String id, String conversation, Map<Client, String> directOf, String group) {
        int n = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
        return (n % 2 == 0 ? directOf.get(c) : group).equals(conversation);
    }

    private static void retryUnacked(List<Client> clients, Duration olderThan) {
        for (Client c : clients) {
            long now = System.nanoTime();
            c.pending.forEach((id, conversation) -> {
                if (now - c.sentAt.getOrDefault(id, now) >= olderThan.toNanos()) {
                    c.send(id, conversation);
                }
            });
        }
    }

    // a stream thread's consumer: <application id>-<instance UUID>-StreamThread-<n>-consumer
    private static final Pattern INSTANCE =
            Pattern.compile("-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-StreamThread-");

    /** Waits until each group is stable with partitions on two instances (threads of two UUIDs). */
    private static void awaitTwoInstances(String bootstrap, List<String> groups) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (true) {
                Object described;
                try {
                    Map<String, ConsumerGroupDescription> groupsNow =
                            admin.describeConsumerGroups(groups).all().get(30, TimeUnit.SECONDS);
                    if (groupsNow.values().stream()
                            .allMatch(g -> g.groupState() == GroupState.STABLE
                                    && instancesOwningPartitions(g).size() == 2)) {
                        return;
                    }
                    described = groupsNow;
                } catch (java.util.concurrent.ExecutionException e) {
                    described = e.getCause(); // e.g. a group not created yet: asked again
                }
                assertThat(System.nanoTime())
                        .as("two topology instances in every group: %s", described)
                        .isLessThan(deadline);
                Thread.sleep(250);
            }
        }
    }

    private static Set<String> instancesOwningPartitions(ConsumerGroupDescription group) {
        Set<String> instances = new TreeSet<>();
        for (MemberDescription m : group.members()) {
            Matcher id = INSTANCE.matcher(m.clientId());
            if (!m.assignment().topicPartitions().isEmpty() && id.find()) {
                instances.add(id.group(1));
            }
        }
        return instances;
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            out.add(s);
        }
        return out;
    }

    /** All of a conversation's history, once the sink has written up to {@code last}. */
    private List<JsonNode> history(Client reader, String conversation, long last) throws Exception {
        return history(reader, conversation, last, 0);
    }

    private List<JsonNode> history(Client reader, String conversation, long last, long from) throws Exception {
        if (from >= last) {
            return List.of();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            List<JsonNode> all = new ArrayList<>();
            long after = from;
            while (true) {
                JsonNode page = get(
                        reader.edgePort,
                        "/v1/conversations/" + conversation + "/messages?after=" + after + "&limit=100",
                        reader.token);
                JsonNode messages = page.path("messages");
                messages.forEach(all::add);
                if (messages.size() < 100) {
                    break;
                }
                after = messages.get(messages.size() - 1).path("seq").asLong();
            }
            if ((!all.isEmpty() && all.get(all.size() - 1).path("seq").asLong() >= last)
                    || System.nanoTime() > deadline) {
                return all;
            }
            Thread.sleep(500);
        }
    }

    private EdgeSettings edge(String id, String bootstrap, String keyspace, String prefix, String appId) {
        Map<String, Object> s = new HashMap<>();
        s.put(EdgeSettings.EDGE_ID, id);
        s.put(EdgeSettings.HTTP_PORT, FreePorts.next());
        s.put(EdgeSettings.BOOTSTRAP_SERVERS, bootstrap);
        s.put(EdgeSettings.REDIS_URL, RedisServerExtension.url());
        s.put(EdgeSettings.REDIS_KEY_PREFIX, prefix);
        s.put(
                EdgeSettings.CASSANDRA_CONTACT_POINT,
                CassandraNodeExtension.host() + ":" + CassandraNodeExtension.port());
        s.put(EdgeSettings.CASSANDRA_KEYSPACE, keyspace);
        s.put(EdgeSettings.JWT_SECRET, SECRET);
        s.put(EdgeSettings.REPLICATION_FACTOR, "3");
        s.put(EdgeSettings.MIN_INSYNC_REPLICAS, "2");
        s.put(EdgeSettings.TOPOLOGY_APPLICATION_ID, appId);
        s.put(EdgeSettings.REGISTRATIONS_PER_ADDRESS, 1_000); // six users register from 127.0.0.1
        return new EdgeSettings(s);
    }

    private static Process fork(Map<String, Object> settings) throws Exception {
        Path state = Files.createTempDirectory("fault-topology-a");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx384m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        TopologyMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "cluster-fault-topology.log").toFile());
        settings.forEach((k, v) -> pb.environment().put(dev.parley.schema.ConfigSources.envName(k), v.toString()));
        pb.environment().put(dev.parley.schema.ConfigSources.envName(TopologySettings.STATE_DIR), state.toString());
        return pb.start();
    }

    /** {@link #post}, again after a second while the answer is 503 {@code unavailable}, for up to 60 s. */
    private JsonNode postRetryingUnavailable(int port, String path, String token, String body) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> response = send(port, path, token, body);
            if (response.statusCode() != 503 || System.nanoTime() > deadline) {
                assertThat(response.statusCode())
                        .as(path + ": " + response.body())
                        .isBetween(200, 201);
                return json.readTree(response.body());
            }
            Thread.sleep(1_000);
        }
    }

    private JsonNode post(int port, String path, String token, String body) throws Exception {
        HttpResponse<String> response = send(port, path, token, body);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isBetween(200, 201);
        return json.readTree(response.body());
    }

    private HttpResponse<String> send(int port, String path, String token, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(int port, String path, String token) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(20))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
