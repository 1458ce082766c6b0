package dev.parley.edge.auth;

import io.undertow.server.HttpServerExchange;

/**
 * The access token of a request. API requests carry it only in {@code Authorization: Bearer}: a
 * token in a URL ends up in proxy logs, browser history and {@code Referer} headers. Only the
 * WebSocket upgrade may also take {@code ?access_token=}, because browsers cannot set headers on
 * one.
 */
public final class BearerToken {

    private BearerToken() {}

    /** The token of an API request: the {@code Authorization} header only. */
    public static String fromHeader(HttpServerExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return null;
    }

    /** The token of a WebSocket upgrade: the header, or else {@code ?access_token=}. */
    public static String fromUpgrade(HttpServerExchange exchange) {
        String header = fromHeader(exchange);
        if (header != null) {
            return header;
        }
        var param = exchange.getQueryParameters().get("access_token");
        return param == null || param.isEmpty() ? null : param.getFirst();
    }
}
