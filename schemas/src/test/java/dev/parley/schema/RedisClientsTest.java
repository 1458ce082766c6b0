package dev.parley.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

class RedisClientsTest {

    @Test
    void shouldReadEverySeedOfAClusterUrl() {
        RedisClients.Seeds c = RedisClients.parseCluster("redis-cluster://10.0.0.1:7000, redis-b:7001,[::1]:7002");

        assertThat(List.copyOf(c.seeds()))
                .containsExactly(
                        new HostAndPort("10.0.0.1", 7000),
                        new HostAndPort("redis-b", 7001),
                        new HostAndPort("[::1]", 7002));
        assertThat(c.user()).isNull();
        assertThat(c.password()).isNull();
    }

    @Test
    void shouldReadCredentialsOfAClusterUrl() {
        assertThat(RedisClients.parseCluster("redis-cluster://parley:s3cr:et@h:1"))
                .isEqualTo(new RedisClients.Seeds(
                        new java.util.LinkedHashSet<>(List.of(new HostAndPort("h", 1))), "parley", "s3cr:et"));
        assertThat(RedisClients.parseCluster("redis-cluster://:pw@h:1/").password())
                .isEqualTo("pw");
    }

    @Test
    void shouldTellClusterFromSingleUrls() {
        assertThat(RedisClients.isCluster("REDIS-CLUSTER://h:1")).isTrue();
        assertThat(RedisClients.isCluster("redis://h:1")).isFalse();
        assertThat(RedisClients.isCluster("rediss://h:1")).isFalse();
    }

    @Test
    void shouldRefuseMalformedUrlsNamingThem() {
        assertThatThrownBy(() -> RedisClients.parseCluster("redis-cluster://h1:1,h2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'h2'");
        assertThatThrownBy(() -> RedisClients.parseCluster("redis-cluster://h1:x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad port");
        assertThatThrownBy(() -> RedisClients.connect("http://h:1", 100, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis-cluster://");
    }
}
