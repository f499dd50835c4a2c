package dev.isthmus.proxy.server;

import dev.isthmus.proxy.admin.PrometheusText;
import dev.isthmus.proxy.admin.PrometheusText.Type;
import dev.isthmus.proxy.config.Protocol;
import dev.isthmus.proxy.http.HttpStats;
import dev.isthmus.proxy.http.RequestDurations;
import dev.isthmus.proxy.server.ListenerCounters.Counter;

import java.util.List;

/** The admin endpoint's {@code /stats}: the server's gauges, then every listener's counters, by metric family. */
final class StatsPage {
    private static final String LISTENER = "listener";
    private static final String CLUSTER = "cluster";
    /** Bucket bounds of the request duration histogram: Prometheus's defaults, finer below 5 ms for loopback hops. */
    private static final String[] DURATION_BOUNDS_SECONDS = {
        "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
        "2.5", "5", "10", "30", "60"};
    private static final long[] DURATION_BOUNDS_MICROS = {
        100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
        2_500_000, 5_000_000, 10_000_000, 30_000_000, 60_000_000};
    private static final double MICROS_PER_SECOND = 1e6;

    private StatsPage() {
    }

    /** @param reloads reloads by {@link ReloadOutcome} ordinal */
    static String render(int workers, long uptimeSeconds, boolean draining, long[] reloads,
            List<ListenerCounters> listeners, ClusterCounters clusters) {
        PrometheusText text = new PrometheusText();
        text.family("isthmus_workers", Type.GAUGE, "Reactor threads serving the listeners.").sample(workers);
        text.family("isthmus_uptime_seconds", Type.GAUGE, "Seconds since the proxy started.").sample(uptimeSeconds);
        text.family("isthmus_draining", Type.GAUGE, "1 once a drain (SIGTERM, SIGINT) began, else 0.")
                .sample(draining ? 1 : 0);
        text.family("isthmus_config_reloads_total", Type.COUNTER, "Config reloads (SIGHUP) by outcome: applied;"
                + " refused, needing a restart; invalid, the file unreadable or invalid; failed part way.");
        for (ReloadOutcome outcome : ReloadOutcome.values()) {
            text.sample(reloads[outcome.ordinal()], "result", outcome.label());
        }

        text.family("isthmus_listener_connections_accepted_total", Type.COUNTER, "Downstream connections accepted.");
        for (ListenerCounters l : listeners) {
            text.sample(l.get(Counter.CONNECTIONS_ACCEPTED), LISTENER, l.listener(), "protocol",
                    l.protocol().configName());
        }
        text.family("isthmus_listener_connections_active", Type.GAUGE, "Downstream connections open now.");
        for (ListenerCounters l : listeners) {
            text.sample(l.get(Counter.CONNECTIONS_ACTIVE), LISTENER, l.listener(), "protocol",
                    l.protocol().configName());
        }

        List<ListenerCounters> http = listeners.stream().filter(l -> l.protocol() == Protocol.HTTP).toList();
        if (!http.isEmpty()) {
            httpFamilies(text, http);
        }
        List<ListenerCounters> tcp = listeners.stream().filter(l -> l.protocol() == Protocol.TCP).toList();
        if (!tcp.isEmpty()) {
            tcpFamilies(text, tcp);
        }
        if (clusters.size() > 0) {
            clusterFamilies(text, clusters);
        }
        return text.toString();
    }

    private static void clusterFamilies(PrometheusText text, ClusterCounters clusters) {
        text.family("isthmus_cluster_upstream_connections_open", Type.GAUGE,
                "Upstream connections open, connecting or in use (a tcp session counts as one).");
        for (int c = 0; c < clusters.size(); c++) {
            text.sample(clusters.open(c), CLUSTER, clusters.name(c));
        }
        text.family("isthmus_cluster_upstream_connections_idle", Type.GAUGE,
                "Keep-alive upstream connections waiting in a pool for a request.");
        for (int c = 0; c < clusters.size(); c++) {
            text.sample(clusters.idle(c), CLUSTER, clusters.name(c));
        }
        text.family("isthmus_cluster_pending_requests", Type.GAUGE,
                "Requests waiting for an upstream connection (max_connections reached).");
        for (int c = 0; c < clusters.size(); c++) {
            text.sample(clusters.pending(c), CLUSTER, clusters.name(c));
        }
        text.family("isthmus_cluster_ejected_endpoints", Type.GAUGE,
                "Endpoints skipped after a failed connect, summed over workers and listeners (each ejects alone).");
        for (int c = 0; c < clusters.size(); c++) {
            text.sample(clusters.ejected(c), CLUSTER, clusters.name(c));
        }
    }

    private static void httpFamilies(PrometheusText text, List<ListenerCounters> http) {
        counter(text, http, Counter.HTTP_REQUESTS, "isthmus_http_requests_total",
                "Requests whose head parsed (rejected_requests counts the others).");
        counter(text, http, Counter.HTTP_UPSTREAM_REQUESTS, "isthmus_http_upstream_requests_total",
                "Requests routed to a cluster.");
        counter(text, http, Counter.HTTP_LOCAL_RESPONSES, "isthmus_http_local_responses_total",
                "Requests the proxy answered itself: direct responses, redirects, no route (404), OPTIONS"
                        + " or TRACE at Max-Forwards 0.");
        counter(text, http, Counter.HTTP_REJECTED_REQUESTS, "isthmus_http_rejected_requests_total",
                "Requests refused as malformed, oversized or too slow; none reached an upstream.");
        counter(text, http, Counter.HTTP_UPSTREAM_FAILURES, "isthmus_http_upstream_failures_total",
                "Exchanges an upstream failed: refused, reset, timed out or malformed.");
        text.family("isthmus_http_responses_total", Type.COUNTER, "Response heads sent to clients, by status class.");
        for (ListenerCounters l : http) {
            for (int statusClass = 1; statusClass < HttpStats.STATUS_CLASSES; statusClass++) {
                text.sample(l.responses(statusClass), LISTENER, l.listener(), "class", statusClass + "xx");
            }
        }
        text.family("isthmus_http_proxy_errors_total", Type.COUNTER,
                "Error responses the proxy generated itself, by status (statuses never sent are left out).");
        for (ListenerCounters l : http) {
            for (int status = 0; status < HttpStats.MAX_STATUS; status++) {
                if (l.proxyErrors(status) > 0) {
                    text.sample(l.proxyErrors(status), LISTENER, l.listener(), "code", Integer.toString(status));
                }
            }
        }
        text.family("isthmus_http_request_duration_seconds", Type.HISTOGRAM,
                "From a request head parsed to the last byte of its response written (tunnels not counted).");
        for (ListenerCounters l : http) {
            RequestDurations durations = l.durations();
            for (int i = 0; i < DURATION_BOUNDS_MICROS.length; i++) {
                text.sample("_bucket", durations.countAtMost(DURATION_BOUNDS_MICROS[i]), LISTENER, l.listener(),
                        "le", DURATION_BOUNDS_SECONDS[i]);
            }
            text.sample("_bucket", durations.count(), LISTENER, l.listener(), "le", "+Inf");
            text.sample("_sum", durations.sumMicros() / MICROS_PER_SECOND, LISTENER, l.listener());
            text.sample("_count", durations.count(), LISTENER, l.listener());
        }
        counter(text, http, Counter.HTTP_BYTES_SPLICED, "isthmus_http_body_bytes_spliced_total",
                "Body bytes moved socket to pipe to socket by splice(2), never entering the JVM.");
        counter(text, http, Counter.HTTP_BYTES_RELAYED, "isthmus_http_body_bytes_relayed_total",
                "Body bytes relayed through an off-heap chunk (small and chunked bodies).");
    }

    private static void tcpFamilies(PrometheusText text, List<ListenerCounters> tcp) {
        text.family("isthmus_tcp_bytes_spliced_total", Type.COUNTER,
                "Payload bytes spliced by closed tcp sessions, by direction.");
        for (ListenerCounters l : tcp) {
            text.sample(l.get(Counter.TCP_BYTES_UPSTREAM), LISTENER, l.listener(), "direction", "upstream");
            text.sample(l.get(Counter.TCP_BYTES_DOWNSTREAM), LISTENER, l.listener(), "direction", "downstream");
        }
        counter(text, tcp, Counter.TCP_UPSTREAM_FAILURES, "isthmus_tcp_upstream_failures_total",
                "Sessions an upstream failed: refused, timed out, reset or aborted.");
    }

    private static void counter(PrometheusText text, List<ListenerCounters> listeners, Counter counter, String name,
            String help) {
        text.family(name, Type.COUNTER, help);
        for (ListenerCounters l : listeners) {
            text.sample(l.get(counter), LISTENER, l.listener());
        }
    }
}
