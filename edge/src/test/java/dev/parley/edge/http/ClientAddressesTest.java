package dev.parley.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {

    private static HttpServerExchange from(String peer, String... forwardedFor) {
        HttpServerExchange exchange = new HttpServerExchange(null);
        exchange.setSourceAddress(new InetSocketAddress(peer, 40_000));
        for (String value : forwardedFor) {
            exchange.getRequestHeaders().add(HttpString.tryFromString("X-Forwarded-For"), value);
        }
        return exchange;
    }

    @Test
    void shouldIgnoreForwardedForWithoutTrustedProxies() {
        ClientAddresses addresses = new ClientAddresses(List.of());
        assertThat(addresses.of(from("203.0.113.7", "10.9.9.9"))).isEqualTo("203.0.113.7");
    }

    @Test
    void shouldIgnoreForwardedForFromAPeerThatIsNotATrustedProxy() {
        ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.2"));
        assertThat(addresses.of(from("203.0.113.7", "198.51.100.1"))).isEqualTo("203.0.113.7");
    }

    @Test
    void shouldTakeTheLastUntrustedHopBehindTrustedProxies() {
        ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.2", "10.0.0.3"));
        // the client claimed 1.1.1.1; our proxies saw 198.51.100.9, then 10.0.0.3
        assertThat(addresses.of(from("10.0.0.2", "1.1.1.1, 198.51.100.9", "10.0.0.3")))
                .isEqualTo("198.51.100.9");
        assertThat(addresses.of(from("10.0.0.2"))).isEqualTo("10.0.0.2");
        assertThat(addresses.of(from("10.0.0.2", "garbage"))).isEqualTo("10.0.0.2");
        assertThat(addresses.of(from("10.0.0.2", "evil.example"))).isEqualTo("10.0.0.2");
    }

    @Test
    void shouldTrustWholeBlocksOfProxies() {
        ClientAddresses addresses = new ClientAddresses(List.of("172.16.0.0/12", "fd00::/8"));
        assertThat(addresses.of(from("172.20.3.4", "203.0.113.7"))).isEqualTo("203.0.113.7");
        assertThat(addresses.of(from("fd12::1", "203.0.113.8"))).isEqualTo("203.0.113.8");
        assertThat(addresses.of(from("172.32.0.1", "203.0.113.7"))).isEqualTo("172.32.0.1");
        assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.0/33")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCountIpv6AddressesByTheirSlash64() {
        ClientAddresses addresses = new ClientAddresses(List.of());
        assertThat(addresses.of(from("2001:db8:1:2:aaaa::1"))).isEqualTo(addresses.of(from("2001:db8:1:2:bbbb::9")));
        assertThat(addresses.of(from("2001:db8:1:2::1"))).isNotEqualTo(addresses.of(from("2001:db8:1:3::1")));
    }

    @Test
    void shouldRefuseATrustedProxyThatIsNotAnAddress() {
        assertThatThrownBy(() -> new ClientAddresses(List.of("proxy.internal")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
