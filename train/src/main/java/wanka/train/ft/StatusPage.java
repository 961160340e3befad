package wanka.train.ft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The agent's live status: a terminal line ({@link #line}) and a web page served by the JDK's built-in HTTP server on
 * the loopback address only (unless told otherwise): ranks with their last step and step time, a loss curve from
 * {@code metrics.jsonl} and the fault timeline, refreshed every two seconds; {@code /status.json} has the same data.
 */
public final class StatusPage implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Agent agent;
    private final HttpServer server;

    private StatusPage(Agent agent, HttpServer server) {
        this.agent = agent;
        this.server = server;
    }

    /** Serves {@code agent}'s status on {@code address}:{@code port} (port 0: any free one). */
    public static StatusPage serve(Agent agent, InetAddress address, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 0);
        StatusPage page = new StatusPage(agent, server);
        server.createContext("/", ex -> {
            boolean json = ex.getRequestURI().getPath().equals("/status.json");
            byte[] body = (json ? page.json() : page.html()).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", json ? "application/json" : "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            try (var out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return page;
    }

    /** Serves on 127.0.0.1 only. */
    public static StatusPage serveLocal(Agent agent, int port) throws IOException {
        return serve(agent, InetAddress.getLoopbackAddress(), port);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** One line for the terminal: attempt, step, each rank's last step time, faults and recoveries. */
    public static String line(Agent agent) {
        List<Heartbeat> beats = Heartbeat.readAll(agent.outDir()).stream().filter(b -> b.timeMs() >= agent.attemptStartMs()).toList();
        StringBuilder sb = new StringBuilder();
        Agent.Attempt a = agent.attempt();
        sb.append(String.format(Locale.ROOT, "attempt %d | step %d |", a == null ? 0 : a.number(), agent.lastStep()));
        for (Heartbeat b : beats) sb.append(String.format(Locale.ROOT, " r%d %.0fms", b.rank(), b.stepMs()));
        List<Event> ev = agent.events();
        long faults = ev.stream().filter(e -> e.kind() == Event.Kind.DIED || e.kind() == Event.Kind.HUNG).count();
        long recoveries = ev.stream().filter(e -> e.kind() == Event.Kind.RESUMED).count();
        sb.append(String.format(Locale.ROOT, " | faults %d, recoveries %d", faults, recoveries));
        return sb.toString();
    }

    /** (step, loss) pairs from {@code metrics.jsonl}. */
    static List<double[]> losses(Path outDir) {
        List<double[]> out = new ArrayList<>();
        Path f = outDir.resolve("metrics.jsonl");
        if (!Files.isRegularFile(f)) return out;
        try {
            for (String l : Files.readAllLines(f)) {
                try {
                    JsonNode n = JSON.readTree(l);
                    if (n != null && n.has("step") && n.has("loss")) out.add(new double[]{n.get("step").asDouble(), n.get("loss").asDouble()});
                } catch (IOException ignored) {
                    // a line being written
                }
            }
        } catch (IOException ignored) {
            // rewritten by a resume just now
        }
        return out;
    }

    String json() throws IOException {
        var root = JSON.createObjectNode();
        root.put("attempt", agent.attempt() == null ? 0 : agent.attempt().number());
        root.set("ranks", JSON.valueToTree(Heartbeat.readAll(agent.outDir())));
        root.set("events", JSON.valueToTree(agent.events()));
        root.set("loss", JSON.valueToTree(losses(agent.outDir())));
        return JSON.writeValueAsString(root);
    }

    String html() {
        List<double[]> loss = losses(agent.outDir());
        List<Event> events = agent.events();
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=utf-8><meta http-equiv=refresh content=2><title>wanka agent</title><style>")
                .append("body{font:14px sans-serif;margin:20px;color:#222}table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}")
                .append(".DIED,.HUNG,.GAVE_UP{color:#b00}.RESUMED,.FINISHED{color:#070}.INJECTED{color:#a60}.STRAGGLER{color:#66a}.EXCLUDED{color:#a0a}</style></head><body>");
        h.append("<h2>wanka agent: ").append(escape(agent.outDir().toString())).append("</h2><p>").append(escape(line(agent))).append("</p>");
        h.append("<h3>Ranks</h3><table><tr><th>rank</th><th>pid</th><th>step</th><th>step time</th><th>health</th><th>last beat</th></tr>");
        long now = System.currentTimeMillis();
        for (Heartbeat b : Heartbeat.readAll(agent.outDir())) {
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%.1f ms</td><td>%s</td><td>%.1f s ago</td></tr>",
                    b.rank(), b.pid(), b.step(), b.stepMs(), escape(b.health()), (now - b.timeMs()) / 1e3));
        }
        h.append("</table><h3>Loss</h3>").append(lossSvg(loss, events)).append("<h3>Fault timeline</h3><table><tr><th>time</th><th>event</th><th>step</th><th>detail</th></tr>");
        long t0 = events.isEmpty() ? now : events.getFirst().timeMs();
        for (Event e : events) {
            h.append(String.format(Locale.ROOT, "<tr class=%s><td>+%.1f s</td><td>%s</td><td>%d</td><td>%s</td></tr>", e.kind(), (e.timeMs() - t0) / 1e3, e.kind(), e.step(), escape(e.detail())));
        }
        return h.append("</table></body></html>").toString();
    }

    /** The loss over steps as an SVG polyline, with a red mark at the step of each fault. */
    static String lossSvg(List<double[]> loss, List<Event> events) {
        int w = 640, ht = 220, pad = 30;
        if (loss.isEmpty()) return "<p>no steps yet</p>";
        double maxStep = loss.stream().mapToDouble(p -> p[0]).max().orElse(1), minL = loss.stream().mapToDouble(p -> p[1]).min().orElse(0),
                maxL = loss.stream().mapToDouble(p -> p[1]).max().orElse(1);
        double span = Math.max(1e-9, maxL - minL);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg width=%d height=%d style='background:#fafafa;border:1px solid #ccc'>", w, ht));
        for (Event e : events) {
            if ((e.kind() == Event.Kind.DIED || e.kind() == Event.Kind.HUNG || e.kind() == Event.Kind.INJECTED) && e.step() > 0) {
                double x = pad + (w - 2 * pad) * e.step() / Math.max(1, maxStep);
                s.append(String.format(Locale.ROOT, "<line x1=%.1f y1=%d x2=%.1f y2=%d stroke='#e33' stroke-dasharray='3,3'/>", x, pad / 2, x, ht - pad));
            }
        }
        s.append("<polyline fill=none stroke='#1565c0' stroke-width=2 points='");
        for (double[] p : loss) {
            s.append(String.format(Locale.ROOT, "%.1f,%.1f ", pad + (w - 2 * pad) * p[0] / Math.max(1, maxStep), ht - pad - (ht - 2 * pad) * (p[1] - minL) / span));
        }
        s.append("'/>");
        s.append(String.format(Locale.ROOT, "<text x=4 y=%d font-size=11>%.3f</text><text x=4 y=%d font-size=11>%.3f</text><text x=%d y=%d font-size=11>step %.0f</text></svg>",
                pad, maxL, ht - pad, minL, w - 80, ht - 8, maxStep));
        return s.toString();
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
