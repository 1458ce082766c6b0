package dev.parley.edge.http;

import dev.parley.schema.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.Resource;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.server.handlers.resource.ResourceManager;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

/**
 * The chat web page (DESIGN section 7.4): the static files under {@code web/} in the edge jar, served
 * at {@code /} by every edge, so a person can try Parley in a browser with nothing but the edge
 * running. The page is plain ES modules and CSS and talks to the public API only.
 *
 * <p>Every answer carries a Content-Security-Policy that allows scripts, styles and connections only
 * from the page's own origin (no inline script or style, no plugin, no framing), so a message body
 * that slipped past the page's escaping still could not run. {@code Cache-Control: no-cache} makes
 * a browser revalidate (Last-Modified) on each load: the file names carry no version, and a page
 * half old and half new after an upgrade would speak to the edge in two dialects. A path with no file
 * is the JSON 404 {@code not_found} every unknown path gets; only GET and HEAD are served.
 */
public final class WebPage implements HttpHandler {

    /** Same-origin only; {@code 'self'} covers ws: and wss: to the page's own host and port (CSP 3). */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; object-src 'none';"
            + " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static final HttpString CSP = new HttpString("Content-Security-Policy");
    private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");
    private static final HttpString REFERRER = new HttpString("Referrer-Policy");
    private static final HttpString FRAME = new HttpString("X-Frame-Options");
    private static final HttpString CACHE = new HttpString("Cache-Control");

    private final ResourceManager resources;
    private final ResourceHandler files;
    private final JsonExchange io;

    public WebPage(JsonExchange io) {
        this.io = io;
        this.resources = new ClassPathResourceManager(WebPage.class.getClassLoader(), "web");
        this.files = new ResourceHandler(resources, this::notFound)
                .setDirectoryListingEnabled(false)
                .setWelcomeFiles("index.html");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            // a class path resource is read with blocking I/O: not on an XNIO I/O thread
            exchange.dispatch(this);
            return;
        }
        String path = exchange.getRelativePath();
        Resource file = resources.getResource(path);
        if (file == null || (file.isDirectory() && !path.equals("/"))) {
            // only the page's root has an index; other folders are no more listed than forbidden
            notFound(exchange);
            return;
        }
        if (!exchange.getRequestMethod().equals(Methods.GET)
                && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            io.error(exchange, 405, "method_not_allowed", "method not allowed");
            return;
        }
        HeaderMap headers = exchange.getResponseHeaders();
        headers.put(CSP, CONTENT_SECURITY_POLICY);
        headers.put(NOSNIFF, "nosniff");
        headers.put(REFERRER, "no-referrer");
        headers.put(FRAME, "DENY");
        headers.put(CACHE, "no-cache");
        files.handleRequest(exchange);
    }

    private void notFound(HttpServerExchange exchange) {
        io.error(exchange, ErrorCode.NOT_FOUND, "no such endpoint");
    }
}
