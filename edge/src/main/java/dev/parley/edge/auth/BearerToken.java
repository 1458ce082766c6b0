package dev.parley.edge.auth;

import io.undertow.server.HttpServerExchange;

/** The access token of a request: {@code Authorization: Bearer} or, for browsers, {@code ?access_token=}. */
public final class BearerToken {

    private BearerToken() {}

    public static String from(HttpServerExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        var param = exchange.getQueryParameters().get("access_token");
        return param == null || param.isEmpty() ? null : param.getFirst();
    }
}
