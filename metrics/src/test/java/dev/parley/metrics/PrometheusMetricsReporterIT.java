package dev.parley.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.testkit.FreePorts;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

class PrometheusMetricsReporterIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldServeKafkaMetricsOfEveryClientOfOnePortUnderPrometheusNames() throws Exception {
        int port = FreePorts.next();
        try (Metrics worker = metrics(port);
                Metrics consumer = metrics(port)) {
            Sensor errors = worker.sensor("errors");
            errors.add(
                    worker.metricName(
                            "deadletterqueue-produce-requests",
                            "task-error-metrics",
                            "",
                            Map.of("connector", "parley-push-sink", "task", "0")),
                    new CumulativeCount());
            errors.record();
            errors.record();
            Sensor lag = consumer.sensor("lag");
            // the same metric at client level and per partition: Prometheus allows one label set
            lag.add(
                    consumer.metricName(
                            "records-lag-max", "consumer-fetch-manager-metrics", "", Map.of("client-id", "c1")),
                    new Max());
            lag.add(
                    consumer.metricName(
                            "records-lag-max",
                            "consumer-fetch-manager-metrics",
                            "",
                            Map.of("client-id", "c1", "topic", "parley.push.v1", "partition", "0")),
                    new Max());
            lag.record(42);
            consumer.addMetric(
                    consumer.metricName("version", "app-info", "", Map.of("client-id", "c1")),
                    (org.apache.kafka.common.metrics.Gauge<String>) (config, now) -> "4.2.0");

            String scrape = scrape(port);

            assertThat(scrape)
                    .contains(
                            "kafka_task_error_deadletterqueue_produce_requests_total{connector=\"parley-push-sink\",task=\"0\"} 2.0")
                    .contains(
                            "kafka_consumer_fetch_manager_records_lag_max{client_id=\"c1\",partition=\"0\",topic=\"parley.push.v1\"} 42.0")
                    .doesNotContain("kafka_consumer_fetch_manager_records_lag_max{client_id=\"c1\"}")
                    .doesNotContain("kafka_app_info_version")
                    .contains("jvm_memory_used_bytes");
        }
        // the last reporter closed the endpoint
        assertThatThrownBy(() -> scrape(port)).isInstanceOf(ConnectException.class);
    }

    @Test
    void shouldLeaveOutAGaugeThatCannotBeReadYetWithoutThrowing() throws Exception {
        int port = FreePorts.next();
        PrometheusMetricsReporter reporter = new PrometheusMetricsReporter();
        reporter.configure(Map.of(PrometheusMetricsReporter.PORT_CONFIG, Integer.toString(port)));
        try {
            // Connect's task status gauge throws while the task is being built
            KafkaMetric status = new KafkaMetric(
                    new Object(),
                    new MetricName("status", "connector-task-metrics", "", Map.of("task", "0")),
                    (org.apache.kafka.common.metrics.Gauge<String>) (config, now) -> {
                        throw new NullPointerException("no state yet");
                    },
                    new MetricConfig(),
                    Time.SYSTEM);
            assertThatNoException().isThrownBy(() -> reporter.metricChange(status));
            assertThat(scrape(port)).doesNotContain("kafka_connector_task_status");
        } finally {
            reporter.close();
        }
    }

    @Test
    void shouldRefuseAPortThatIsNotANumber() {
        PrometheusMetricsReporter reporter = new PrometheusMetricsReporter();
        assertThatThrownBy(() -> reporter.configure(Map.of(PrometheusMetricsReporter.PORT_CONFIG, "metrics")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(PrometheusMetricsReporter.PORT_CONFIG);
    }

    private static Metrics metrics(int port) {
        PrometheusMetricsReporter reporter = new PrometheusMetricsReporter();
        reporter.configure(Map.of(PrometheusMetricsReporter.PORT_CONFIG, Integer.toString(port)));
        return new Metrics(new MetricConfig(), List.of(reporter), Time.SYSTEM);
    }

    private String scrape(int port) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
        return response.body();
    }
}
