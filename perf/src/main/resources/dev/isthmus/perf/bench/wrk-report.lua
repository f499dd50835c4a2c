-- Makes wrk print its results as one machine-readable line (read by dev.isthmus.perf.bench.WrkLoadTool):
-- counts, errors by kind and latency percentiles in microseconds.
done = function(summary, latency, requests)
  local points = {}
  for _, p in ipairs({ 0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.5, 99.9, 99.95, 99.99, 99.999 }) do
    points[#points + 1] = string.format("%s:%d", p, latency:percentile(p))
  end
  -- percentile(100) is not the maximum in wrk 4; latency.max is.
  points[#points + 1] = string.format("100:%d", latency.max)
  io.write(string.format(
    "ISTHMUS-LOAD-RESULT requests=%d bytes=%d durationMicros=%d connect=%d read=%d write=%d status=%d timeout=%d percentiles=%s\n",
    summary.requests, summary.bytes, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, table.concat(points, ",")))
end
