package dev.parley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.connect.cassandra.CassandraSinkConfig;
import dev.parley.connect.push.PushSinkConfig;
import dev.parley.connect.search.OpenSearchSinkConfig;
import dev.parley.edge.EdgeSettings;
import dev.parley.metrics.PrometheusMetricsReporter;
import dev.parley.schema.ConfigSources;
import dev.parley.topology.TopologySettings;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.runtime.SinkConnectorConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine runs here, so the cluster deployment is checked against the code instead: every
 * setting a service, the Connect worker or a connector is given must be a key the code reads, with
 * a value it accepts; every image's entrypoint class must exist; cluster mode must replicate.
 */
class ClusterDeploymentTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern ENTRYPOINT_TARGET = Pattern.compile("(?m)^FROM \\S+ AS (\\S+)$|^ENTRYPOINT \\[(.*)]$");

    private final Map<String, Object> services = services();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> services() {
        try (Reader in = Files.newBufferedReader(ROOT.resolve("docker-compose.yml"))) {
            Map<String, Object> compose = new Yaml().load(in);
            return (Map<String, Object>) compose.get("services");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> environment(String service) {
        Map<String, Object> s = (Map<String, Object>) services.get(service);
        Map<String, String> env = new LinkedHashMap<>();
        Object raw = s.get("environment");
        if (raw instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(k.toString(), v == null ? "" : v.toString()));
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    private List<String> servicesBuiltAs(String target) {
        List<String> names = new ArrayList<>();
        services.forEach((name, def) -> {
            Object build = ((Map<String, Object>) def).get("build");
            if (build instanceof Map<?, ?> b && target.equals(b.get("target"))) {
                names.add(name);
            }
        });
        return names;
    }

    /** The edge services: built as the edge image, but not the migrate step that image also runs. */
    private List<String> edges() {
        List<String> edges = servicesBuiltAs("edge");
        edges.remove("migrate");
        return edges;
    }

    /** Env to settings keys; fails on a variable no key maps to (a dead or misspelled setting). */
    private static Map<String, Object> settingsFrom(String service, Map<String, String> env, ConfigDef def) {
        Map<String, String> known = new HashMap<>();
        def.names().forEach(k -> known.put(ConfigSources.envName(k), k));
        for (String var : env.keySet()) {
            assertThat(known)
                    .as("%s sets %s, which no setting reads", service, var)
                    .containsKey(var);
        }
        return ConfigSources.gather(def.names(), null, env, Map.of());
    }

    @Test
    void shouldRunTwoOfEachParleyProcessWithOnlyKeysTheCodeReads() {
        List<String> edges = edges();
        List<String> topologies = servicesBuiltAs("topology");
        assertThat(edges).hasSize(2);
        assertThat(topologies).hasSize(2);
        assertThat(servicesBuiltAs("connect")).containsExactly("connect");
        Set<String> edgeIds = new java.util.HashSet<>();
        for (String edge : edges) {
            EdgeSettings settings = new EdgeSettings(settingsFrom(edge, environment(edge), EdgeSettings.CONFIG));
            settings.jwtSecret(); // refuses a missing or short secret
            edgeIds.add(settings.getString(EdgeSettings.EDGE_ID));
            assertThat(settings.getShort(EdgeSettings.REPLICATION_FACTOR))
                    .as(edge)
                    .isEqualTo((short) 3);
            assertThat(settings.getInt(EdgeSettings.MIN_INSYNC_REPLICAS))
                    .as(edge)
                    .isEqualTo(2);
            assertThat(settings.getString(EdgeSettings.CASSANDRA_REPLICATION)).contains("'datacenter1': 3");
        }
        assertThat(edgeIds).as("edge ids name delivery topics: unique").hasSize(2);
        for (String topology : topologies) {
            TopologySettings settings =
                    new TopologySettings(settingsFrom(topology, environment(topology), TopologySettings.CONFIG));
            assertThat(settings.getShort(TopologySettings.REPLICATION_FACTOR))
                    .as(topology)
                    .isEqualTo((short) 3);
            assertThat(settings.getInt(TopologySettings.MIN_INSYNC_REPLICAS))
                    .as(topology)
                    .isEqualTo(2);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldPointEdgesAndTopologiesAtTheRedisClusterTheInitStepCreates() throws Exception {
        List<String> nodes = services.keySet().stream()
                .filter(n -> n.matches("redis-\\d+"))
                .sorted()
                .toList();
        assertThat(nodes).as("3 primaries with a replica each").hasSize(6);
        String init = Files.readString(ROOT.resolve("deploy/redis-cluster-init.sh"));
        assertThat(init).contains("--cluster-replicas 1");
        for (String node : nodes) {
            List<String> command = (List<String>) ((Map<String, Object>) services.get(node)).get("command");
            assertThat(String.join(" ", command))
                    .as(node)
                    .contains(
                            "--cluster-enabled yes",
                            "--cluster-require-full-coverage no",
                            "--cluster-announce-hostname " + node);
            assertThat(init).as("the init script creates %s", node).contains(node);
        }
        List<String> users = edges();
        users.addAll(servicesBuiltAs("topology"));
        for (String user : users) {
            String url = environment(user).get("PARLEY_REDIS_URL");
            assertThat(url).as(user).startsWith("redis-cluster://");
            for (String seed : url.substring("redis-cluster://".length()).split(",")) {
                assertThat(nodes).as("%s seed %s is a cluster node", user, seed).contains(seed.split(":")[0]);
            }
            Map<String, Object> dependsOn =
                    (Map<String, Object>) ((Map<String, Object>) services.get(user)).get("depends_on");
            assertThat((Map<String, Object>) dependsOn.get("redis-init"))
                    .as("%s waits for the cluster to be created", user)
                    .containsEntry("condition", "service_completed_successfully");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldMigrateTheEdgesKeyspaceOnceBeforeAnyCassandraUserStarts() throws Exception {
        Map<String, Object> migrate = (Map<String, Object>) services.get("migrate");
        assertThat(servicesBuiltAs("edge")).contains("migrate");
        List<String> entrypoint = (List<String>) migrate.get("entrypoint");
        String className = entrypoint.get(entrypoint.size() - 1);
        assertThat(className).isEqualTo(dev.parley.edge.Migrate.class.getName());
        assertThat(Modifier.isStatic(Class.forName(className)
                        .getMethod("main", String[].class)
                        .getModifiers()))
                .isTrue();
        assertThat(entrypoint).contains("/opt/parley/lib/*");
        EdgeSettings migrates = new EdgeSettings(settingsFrom("migrate", environment("migrate"), EdgeSettings.CONFIG));
        List<String> cassandraUsers = edges();
        cassandraUsers.add("connect");
        for (String user : cassandraUsers) {
            Map<String, Object> dependsOn =
                    (Map<String, Object>) ((Map<String, Object>) services.get(user)).get("depends_on");
            assertThat((Map<String, Object>) dependsOn.get("migrate"))
                    .as("%s waits for the migrate step", user)
                    .containsEntry("condition", "service_completed_successfully");
        }
        for (String edge : cassandraUsers.subList(0, cassandraUsers.size() - 1)) {
            EdgeSettings settings = new EdgeSettings(settingsFrom(edge, environment(edge), EdgeSettings.CONFIG));
            for (String key : List.of(
                    EdgeSettings.CASSANDRA_CONTACT_POINT,
                    EdgeSettings.CASSANDRA_DATACENTER,
                    EdgeSettings.CASSANDRA_KEYSPACE,
                    EdgeSettings.CASSANDRA_REPLICATION)) {
                assertThat(settings.getString(key)).as("%s %s", edge, key).isEqualTo(migrates.getString(key));
            }
        }
        for (String connector : List.of("cassandra-sink.json", "push-sink.json")) {
            assertThat(connectorConfig(connector).path("cassandra.keyspace").asText())
                    .as(connector)
                    .isEqualTo(migrates.getString(EdgeSettings.CASSANDRA_KEYSPACE));
        }
    }

    @Test
    void shouldReplicateEveryKafkaTopicThreeWays() throws IOException {
        for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
            Map<String, String> env = environment(broker);
            assertThat(env)
                    .as(broker)
                    .containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                    .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2")
                    .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
            assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS").split(",")).hasSize(3);
            // a SIGKILLed topology instance's open transaction holds back every read_committed
            // reader of what it wrote until the coordinator's abort scan after its timeout
            // (ClusterFaultIT): scanned every second, not every 10 (the broker's default)
            assertThat(env)
                    .as(broker)
                    .containsEntry(
                            "KAFKA_"
                                    + org.apache.kafka.coordinator.transaction.TransactionStateManagerConfig
                                            .TRANSACTIONS_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS_CONFIG
                                            .toUpperCase(java.util.Locale.ROOT)
                                            .replace('.', '_'),
                            "1000");
        }
        Properties worker = workerProperties();
        for (String key : List.of(
                "config.storage.replication.factor",
                "offset.storage.replication.factor",
                "status.storage.replication.factor")) {
            assertThat(worker.getProperty(key)).as(key).isEqualTo("3");
        }
        // the topologies write the sinks' topics in transactions
        assertThat(worker.getProperty("consumer.isolation.level")).isEqualTo("read_committed");
        for (String connector : List.of("cassandra-sink.json", "search-sink.json", "push-sink.json")) {
            JsonNode config = connectorConfig(connector);
            assertThat(config.path("errors.deadletterqueue.topic.replication.factor")
                            .asText())
                    .as(connector)
                    .isEqualTo("3");
        }
    }

    @Test
    void shouldGiveTheConnectWorkerAndConnectorsOnlyKnownKeys() throws IOException {
        Properties worker = workerProperties();
        Map<String, String> asMap = new HashMap<>();
        worker.stringPropertyNames().forEach(k -> asMap.put(k, worker.getProperty(k)));
        // parsing it also checks every value's type; values() lists every key the worker defines
        Set<String> workerKeys = new DistributedConfig(asMap).values().keySet();
        for (String key : worker.stringPropertyNames()) {
            // config.providers.<name>.class is a prefix family, not a fixed key; consumer.<key> is
            // passed to every sink task's consumer
            if (key.endsWith(PrometheusMetricsReporter.PORT_CONFIG)) {
                // the metrics reporter's own key, for the worker and its clients (shouldScrape...)
                assertThat(key).isIn(reporterKeys(PrometheusMetricsReporter.PORT_CONFIG));
            } else if (key.startsWith("consumer.")) {
                assertThat(org.apache.kafka.clients.consumer.ConsumerConfig.configNames())
                        .as("worker key %s", key)
                        .contains(key.substring("consumer.".length()));
            } else if (key.startsWith("producer.")) {
                assertThat(org.apache.kafka.clients.producer.ProducerConfig.configNames())
                        .as("worker key %s", key)
                        .contains(key.substring("producer.".length()));
            } else if (!key.startsWith("config.providers.")) {
                assertThat(workerKeys).as("worker key %s", key).contains(key);
            }
        }
        assertThat(worker.getProperty("plugin.path")).isEqualTo("/opt/parley/plugins");
        Set<String> framework = SinkConnectorConfig.configDef().names();
        Map<String, ConfigDef> own = Map.of(
                "cassandra-sink.json", CassandraSinkConfig.CONFIG,
                "search-sink.json", OpenSearchSinkConfig.CONFIG,
                "push-sink.json", PushSinkConfig.CONFIG);
        for (Map.Entry<String, ConfigDef> connector : own.entrySet()) {
            JsonNode config = connectorConfig(connector.getKey());
            config.fieldNames().forEachRemaining(key -> assertThat(framework.contains(key)
                            || connector.getValue().names().contains(key))
                    .as("%s: %s is neither a Connect nor a connector key", connector.getKey(), key)
                    .isTrue());
            assertThat(loads(config.path("connector.class").asText())).isTrue();
        }
        String register = Files.readString(ROOT.resolve("deploy/register-connectors.sh"));
        assertThat(register)
                .contains(
                        "/connectors/cassandra-sink.json",
                        "/connectors/search-sink.json",
                        "/connectors/push-sink.json");
        // credentials are never committed: compose mounts the example unless told otherwise
        assertThat(Files.readString(ROOT.resolve("docker-compose.yml")))
                .contains(
                        "${PARLEY_PUSH_SECRETS:-./deploy/secrets/push.properties.example}:/secrets/push.properties:ro");
        Properties secrets = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve("deploy/secrets/push.properties.example"))) {
            secrets.load(in);
        }
        // every ${file:/secrets/push.properties:key} reference must resolve
        Matcher ref = Pattern.compile("\\$\\{file:/secrets/push.properties:([^}]+)}")
                .matcher(Files.readString(ROOT.resolve("connectors/push-sink.json")));
        while (ref.find()) {
            assertThat(secrets.stringPropertyNames()).contains(ref.group(1));
            assertThat(PushSinkConfig.CONFIG.names()).contains(ref.group(1));
        }
    }

    @Test
    void shouldStartEveryImageWithAClassThatExistsAndHasAMain() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        Matcher m = ENTRYPOINT_TARGET.matcher(dockerfile);
        String target = null;
        Map<String, String> entrypoints = new LinkedHashMap<>();
        while (m.find()) {
            if (m.group(1) != null) {
                target = m.group(1);
            } else {
                entrypoints.put(target, m.group(2));
            }
        }
        assertThat(entrypoints).containsOnlyKeys("edge", "topology", "connect");
        for (String target2 : List.of("edge", "topology")) {
            String className = lastQuoted(entrypoints.get(target2));
            Method main = Class.forName(className).getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers())).as(className).isTrue();
        }
        assertThat(entrypoints.get("connect"))
                .contains("connect-distributed.sh", "/opt/parley/connect-distributed.properties");
        assertThat(dockerfile)
                .contains("COPY deploy/connect-distributed.properties /opt/parley/connect-distributed.properties");
    }

    @Test
    void shouldBalanceAndScrapeBothEdges() throws IOException {
        String nginx = Files.readString(ROOT.resolve("deploy/nginx.conf"));
        String prometheus = Files.readString(ROOT.resolve("deploy/prometheus.yml"));
        for (String edge : edges()) {
            int port = new EdgeSettings(settingsFrom(edge, environment(edge), EdgeSettings.CONFIG))
                    .getInt(EdgeSettings.HTTP_PORT);
            assertThat(nginx).contains("server " + edge + ":" + port + ";");
            assertThat(prometheus).contains("\"" + edge + ":" + port + "\"");
        }
        assertThat(nginx).contains("proxy_set_header Upgrade $http_upgrade;");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldScrapeEveryParleyProcessOnAMetricsPortItOpens() throws IOException {
        Map<String, Integer> expected = new LinkedHashMap<>(); // target -> port the process opens
        for (String edge : edges()) {
            expected.put(
                    edge,
                    new EdgeSettings(settingsFrom(edge, environment(edge), EdgeSettings.CONFIG))
                            .getInt(EdgeSettings.HTTP_PORT));
        }
        for (String topology : servicesBuiltAs("topology")) {
            int port = new TopologySettings(settingsFrom(topology, environment(topology), TopologySettings.CONFIG))
                    .getInt(TopologySettings.METRICS_PORT);
            assertThat(port).as("%s serves metrics", topology).isPositive();
            assertThat(exposed(topology))
                    .as("%s exposes its metrics port", topology)
                    .contains(port);
            expected.put(topology, port);
        }
        // the worker and its sink consumers and dead-letter producers report to one endpoint
        Properties worker = workerProperties();
        Set<String> ports = new java.util.HashSet<>();
        for (String key : reporterKeys("metric.reporters")) {
            assertThat(worker.getProperty(key)).as(key).isEqualTo(PrometheusMetricsReporter.class.getName());
        }
        for (String key : reporterKeys(PrometheusMetricsReporter.PORT_CONFIG)) {
            ports.add(worker.getProperty(key));
        }
        assertThat(ports).as("one metrics port for the worker and its clients").hasSize(1);
        int connectPort = Integer.parseInt(ports.iterator().next());
        assertThat(exposed("connect")).contains(connectPort);
        expected.put("connect", connectPort);
        // reporters are not plugins: the image puts them on the worker's own class path
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile)
                .contains("COPY --from=build /out/metrics /opt/parley/metrics", "ENV CLASSPATH=/opt/parley/metrics/*");

        Map<String, Object> prometheus;
        try (Reader in = Files.newBufferedReader(ROOT.resolve("deploy/prometheus.yml"))) {
            prometheus = new Yaml().load(in);
        }
        Map<String, Integer> scraped = new LinkedHashMap<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) prometheus.get("scrape_configs")) {
            assertThat(job.get("metrics_path")).isEqualTo("/metrics");
            for (Map<String, Object> group : (List<Map<String, Object>>) job.get("static_configs")) {
                for (String target : (List<String>) group.get("targets")) {
                    String[] hostPort = target.split(":");
                    scraped.put(hostPort[0], Integer.parseInt(hostPort[1]));
                }
            }
        }
        assertThat(scraped)
                .as("Prometheus scrapes every Parley process where it serves")
                .isEqualTo(expected);

        // Grafana reads that Prometheus and loads the dashboard the IT checks against the processes
        String datasource = Files.readString(ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml"));
        assertThat(datasource).contains("url: http://prometheus:9090", "uid: prometheus");
        assertThat(Files.readString(ROOT.resolve("docker-compose.yml")))
                .contains(
                        "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
                        "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro");
        JsonNode dashboard = new ObjectMapper()
                .readTree(ROOT.resolve("deploy/grafana/dashboards/parley.json").toFile());
        for (JsonNode panel : dashboard.path("panels")) {
            panel.path("targets")
                    .forEach(t -> assertThat(t.path("datasource").path("uid").asText())
                            .as(panel.path("title").asText())
                            .isEqualTo("prometheus"));
        }
    }

    private static List<String> reporterKeys(String key) {
        return List.of(key, "consumer." + key, "producer." + key);
    }

    @SuppressWarnings("unchecked")
    private List<Integer> exposed(String service) {
        Object raw = ((Map<String, Object>) services.get(service)).get("expose");
        List<Integer> ports = new ArrayList<>();
        if (raw instanceof List<?> list) {
            list.forEach(p -> ports.add(Integer.parseInt(p.toString())));
        }
        return ports;
    }

    private static String lastQuoted(String jsonArray) {
        Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(jsonArray);
        String last = null;
        while (quoted.find()) {
            last = quoted.group(1);
        }
        return last;
    }

    private static boolean loads(String className) {
        try {
            Class.forName(className);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static Properties workerProperties() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve("deploy/connect-distributed.properties"))) {
            p.load(in);
        }
        return p;
    }

    private static JsonNode connectorConfig(String file) throws IOException {
        return new ObjectMapper()
                .readTree(ROOT.resolve("connectors").resolve(file).toFile())
                .path("config");
    }
}
