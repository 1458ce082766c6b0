package dev.parley.edge.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The client address that abuse limits count by. It is the TCP peer, unless the peer is a configured
 * trusted proxy: then it is the right-most X-Forwarded-For entry that is not a trusted proxy (what the
 * nearest untrusted hop told our proxy; entries further left are the client's own claims). Without
 * trusted proxies the header is ignored, so a client cannot pick its own address. IPv6 addresses
 * count by their /64, the block one subscriber gets.
 */
public final class ClientAddresses {

    private static final HttpString FORWARDED_FOR = HttpString.tryFromString("X-Forwarded-For");
    // only literals are parsed, never names: parsing a name would be a DNS lookup per request
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** An address block: {@code bits} leading bits of {@code network}. */
    private record Block(byte[] network, int bits) {
        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Block> trustedProxies = new ArrayList<>();

    /** @param trustedProxies addresses or blocks ({@code 10.0.0.0/8}), as literals, never names. */
    public ClientAddresses(List<String> trustedProxies) {
        for (String proxy : trustedProxies) {
            String[] parts = proxy.strip().split("/", 2);
            InetAddress address = parse(parts[0])
                    .orElseThrow(() -> new IllegalArgumentException("trusted proxy is not an IP address: " + proxy));
            int max = address.getAddress().length * 8;
            int bits;
            try {
                bits = parts.length == 1 ? max : Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("trusted proxy has a bad prefix length: " + proxy);
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("trusted proxy has a bad prefix length: " + proxy);
            }
            this.trustedProxies.add(new Block(address.getAddress(), bits));
        }
    }

    private boolean trusted(InetAddress address) {
        return trustedProxies.stream().anyMatch(b -> b.contains(address));
    }

    public String of(HttpServerExchange exchange) {
        InetSocketAddress peer = exchange.getSourceAddress();
        InetAddress client = peer.getAddress();
        HeaderValues forwarded = exchange.getRequestHeaders().get(FORWARDED_FOR);
        if (forwarded != null && trusted(client)) {
            List<String> hops = forwarded.stream()
                    .flatMap(value -> Arrays.stream(value.split(",")))
                    .map(String::strip)
                    .toList();
            for (int i = hops.size() - 1; i >= 0; i--) {
                Optional<InetAddress> hop = parse(hops.get(i));
                if (hop.isEmpty()) {
                    break; // not an address: nothing left of it can be believed
                }
                client = hop.get();
                if (!trusted(client)) {
                    break;
                }
            }
        }
        return key(client);
    }

    static String key(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] bytes = address.getAddress();
            Arrays.fill(bytes, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
            } catch (UnknownHostException e) {
                throw new IllegalStateException("16 bytes are an IPv6 address", e);
            }
        }
        return address.getHostAddress();
    }

    private static Optional<InetAddress> parse(String text) {
        String literal = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (literal.isEmpty()
                || literal.length() > 45
                || !IP_LITERAL.matcher(literal).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(literal));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
