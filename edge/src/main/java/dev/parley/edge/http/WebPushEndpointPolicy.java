package dev.parley.edge.http;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which Web Push subscription endpoints a device may register. The push sink POSTs to the endpoint,
 * so an unchecked one aims it at anything the sink can reach ({@code http://127.0.0.1:8083}, the
 * cloud metadata service at {@code 169.254.169.254}, {@code file://}). Allowed: an absolute https
 * URL on port 443 (or none), without user info, whose host is on the allow-list ({@code
 * *.example.com} matches any subdomain, not the bare domain) and is a name, not an IP literal, of
 * bounded length. Anything else is {@code bad_request}.
 */
public final class WebPushEndpointPolicy {

    private static final Pattern IPV4 = Pattern.compile("[0-9.]+");

    private final List<String> allowedHosts;
    private final int maxChars;

    public WebPushEndpointPolicy(List<String> allowedHosts, int maxChars) {
        this.allowedHosts = allowedHosts.stream()
                .map(h -> h.strip().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty())
                .toList();
        this.maxChars = maxChars;
    }

    public void check(String endpoint) {
        if (endpoint.length() > maxChars) {
            throw refused("is longer than " + maxChars + " characters");
        }
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw refused("is not a URL");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            throw refused("must be an https URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw refused("must not carry user info");
        }
        if (uri.getPort() != -1 && uri.getPort() != 443) {
            throw refused("must use port 443");
        }
        String host = uri.getHost();
        if (host == null) {
            throw refused("has no host");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") || IPV4.matcher(host).matches()) {
            throw refused("must name a push service, not an IP address");
        }
        if (!allowed(host)) {
            throw refused("is not on a known push service (" + host + ")");
        }
    }

    private boolean allowed(String host) {
        for (String pattern : allowedHosts) {
            boolean match = pattern.startsWith("*.")
                    ? host.endsWith(pattern.substring(1)) && host.length() > pattern.length() - 1
                    : host.equals(pattern);
            if (match) {
                return true;
            }
        }
        return false;
    }

    private static ApiException refused(String why) {
        return new ApiException(ErrorCode.BAD_REQUEST, "subscription endpoint " + why);
    }
}
