package dev.isthmus.proxy.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** What a matched route does: forward to a cluster, answer directly, or redirect. */
public sealed interface RouteAction {

    /**
     * {@code cluster: NAME}: proxy the request to the cluster.
     *
     * @param cluster       the cluster's name (checked to exist at load)
     * @param prefixRewrite replaces the matched path or prefix (only with {@code path} or {@code prefix} matches)
     * @param hostRewrite   replaces the Host header sent upstream
     * @param timeout       time allowed from the request sent upstream to the end of the response head; else 504
     */
    record Forward(String cluster, Optional<String> prefixRewrite, Optional<String> hostRewrite, Duration timeout)
            implements RouteAction {

        /** As Envoy: long enough for ordinary requests, short enough that a stuck upstream frees its slot. */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

        public Forward {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(prefixRewrite, "prefixRewrite");
            Objects.requireNonNull(hostRewrite, "hostRewrite");
            Objects.requireNonNull(timeout, "timeout");
        }

        /** Forward with no rewrites and the default timeout. */
        public static Forward to(String cluster) {
            return new Forward(cluster, Optional.empty(), Optional.empty(), DEFAULT_TIMEOUT);
        }
    }

    /**
     * {@code direct_response: { status, body, content_type }}: the proxy answers itself.
     *
     * @param status      200..599; 204 and 304 carry no body
     * @param body        sent as is (UTF-8)
     * @param contentType the Content-Type header value
     */
    record DirectResponse(int status, String body, String contentType) implements RouteAction {

        public static final int DEFAULT_STATUS = 200;
        public static final String DEFAULT_CONTENT_TYPE = "text/plain; charset=utf-8";

        public DirectResponse {
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(contentType, "contentType");
        }
    }

    /**
     * {@code redirect: { status, location }}: answer with a redirect and an empty body.
     *
     * @param status   one of {@link #STATUSES}
     * @param location the Location header value, sent as is
     */
    record Redirect(int status, String location) implements RouteAction {

        public static final Set<Integer> STATUSES = Set.of(301, 302, 303, 307, 308);
        public static final int DEFAULT_STATUS = 302;

        public Redirect {
            Objects.requireNonNull(location, "location");
            if (!STATUSES.contains(status)) {
                throw new IllegalArgumentException("redirect status must be one of 301, 302, 303, 307, 308");
            }
        }
    }
}
