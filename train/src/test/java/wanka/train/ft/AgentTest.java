package wanka.train.ft;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent (issue 10): judging heartbeats (hung rank, straggler), restarting a job that died or hung until it
 * finishes, and the loopback status page with the loss curve and the timeline. The "job" is a shell script that
 * beats like a rank.
 */
class AgentTest {

    /** A rank that beats {@code steps} times; attempt 0 dies with exit 3 after 2 beats, attempt 1 hangs after 1, attempt 2 finishes. */
    static Process fakeJob(Path out, Agent.Attempt a) throws IOException {
        Path hb = out.resolve("heartbeats");
        Files.createDirectories(hb);
        String beat = "echo \"{\\\"rank\\\":0,\\\"pid\\\":$$,\\\"step\\\":$s,\\\"stepMs\\\":5.0,\\\"health\\\":\\\"ok\\\",\\\"timeMs\\\":$(date +%s%3N)}\" > " + hb + "/.t && mv " + hb + "/.t " + hb + "/rank-00000.json";
        String loss = "echo \"{\\\"step\\\":$s,\\\"loss\\\":$((10 - s))}\" >> " + out + "/metrics.jsonl";
        String script = switch (a.number()) {
            case 0 -> "for s in 1 2; do " + beat + "; " + loss + "; sleep 0.1; done; exit 3";
            case 1 -> "s=3; " + beat + "; sleep 30";
            default -> "for s in 3 4 5; do " + beat + "; " + loss + "; sleep 0.1; done";
        };
        return new ProcessBuilder("bash", "-c", script).start();
    }

    @Test
    void restartsAJobThatDiedOrHungUntilItFinishesAndServesItsStatus(@TempDir Path out) throws Exception {
        List<Agent.Attempt> attempts = new ArrayList<>();
        Agent agent = new Agent(out, new Agent.Settings(5, Duration.ofMillis(3000), 4, Duration.ofMillis(5000), 3, Duration.ofMillis(50), true), new Agent.Launcher() {
            @Override
            public Process start(Agent.Attempt a) throws IOException {
                attempts.add(a);
                return fakeJob(out, a);
            }

            @Override
            public int ranks(Agent.Attempt a) {
                return 1; // the fake job beats as one rank whatever its dp
            }
        }, m -> { });
        try (StatusPage page = StatusPage.serveLocal(agent, 0)) {
            Agent.Outcome o = agent.run(4, false);
            assertThat(o.finished()).isTrue();
            assertThat(o.restarts()).isEqualTo(2);
            assertThat(attempts).extracting(Agent.Attempt::resume).containsExactly(false, true, true);
            assertThat(attempts).extracting(Agent.Attempt::dp).as("--shrink-dp halves dp at each restart").containsExactly(4, 2, 1);
            assertThat(o.events()).as(o.events().toString()).extracting(Event::kind).containsSubsequence(Event.Kind.STARTED, Event.Kind.DIED, Event.Kind.RESUMED, Event.Kind.HUNG,
                    Event.Kind.RESUMED, Event.Kind.FINISHED);
            var client = HttpClient.newHttpClient();
            String html = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + page.port() + "/")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(html).contains("<svg").contains("<polyline").contains("HUNG").contains("DIED").contains("FINISHED");
            String json = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + page.port() + "/status.json")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(json).contains("\"events\"").contains("\"loss\"");
            Files.writeString(out.resolve("status.html"), html);
        }
        assertThat(StatusPage.line(agent)).contains("faults 2, recoveries 2");
    }

    @Test
    void excludesTheFailingHostAndRestartsOnASpareThenWithASmallerDataParallelSize(@TempDir Path out) throws Exception {
        List<Agent.Attempt> attempts = new ArrayList<>();
        Agent agent = new Agent(out, new Agent.Settings(5, Duration.ofMillis(1500), 4, Duration.ofMillis(5000), 3, Duration.ofMillis(50), false),
                HostPool.parse("a:2,b:2", "c:2", 2), new Agent.Launcher() {
            @Override
            public Process start(Agent.Attempt a) throws IOException {
                attempts.add(a);
                return fakeJob(out, new Agent.Attempt(a.number() == 1 ? 0 : a.number(), a.resume(), a.dp())); // attempts 0 and 1 die, 2 finishes
            }

            @Override
            public int ranks(Agent.Attempt a) {
                return 1; // the fake job beats as one rank; the agent sizes the restarts from dp 2 × 2 hosts' slots
            }

            @Override
            public java.util.OptionalInt failedRank(Agent.Attempt a) {
                return java.util.OptionalInt.of(a.number() == 0 ? 3 : 0); // a rank on b, then one on a
            }
        }, m -> { });
        Agent.Outcome o = agent.run(2, false);
        assertThat(o.finished()).isTrue();
        assertThat(attempts).extracting(a -> a.hosts().toString()).containsExactly("[a:2, b:2]", "[a:2, c:2]", "[c:2]");
        assertThat(attempts).extracting(Agent.Attempt::dp).containsExactly(2, 2, 1);
        assertThat(o.events()).filteredOn(e -> e.kind() == Event.Kind.EXCLUDED).extracting(Event::detail)
                .containsExactly("host b excluded (rank 3 failed); spare c takes its place, dp 2 kept", "host a excluded (rank 0 failed); no spare left: 1 host(s), dp 2 -> 1");
        assertThat(agent.pool().excluded()).extracting(HostPool.Host::name).containsExactly("b", "a");
    }

    @Test
    void excludesTheHostThatCannotBeReachedRatherThanTheFirstRankSeenHung(@TempDir Path out) throws Exception {
        List<Agent.Attempt> attempts = new ArrayList<>();
        Agent agent = new Agent(out, new Agent.Settings(5, Duration.ofMillis(1500), 4, Duration.ofMillis(5000), 3, Duration.ofMillis(50), false),
                HostPool.parse("a:1,b:1", "c:1,d:1", 1), new Agent.Launcher() {
            @Override
            public Process start(Agent.Attempt a) throws IOException {
                attempts.add(a);
                return fakeJob(out, new Agent.Attempt(a.number() == 1 ? 0 : a.number(), a.resume(), a.dp())); // attempts 0 and 1 fail, 2 finishes
            }

            @Override
            public int ranks(Agent.Attempt a) {
                return 1;
            }

            @Override
            public java.util.OptionalInt failedRank(Agent.Attempt a) {
                return java.util.OptionalInt.of(0); // rank 0 (on the first host) is the one seen failing each time
            }

            @Override
            public List<String> unreachableHosts(Agent.Attempt a) {
                return a.number() == 0 ? List.of("b", "z") : List.of(); // attempt 0: b's link is cut (z is not one of the attempt's hosts); attempt 1: all reachable
            }
        }, m -> { });
        Agent.Outcome o = agent.run(2, false);
        assertThat(o.finished()).isTrue();
        assertThat(attempts).extracting(a -> a.hosts().toString()).containsExactly("[a:1, b:1]", "[a:1, c:1]", "[d:1, c:1]"); // each spare takes the excluded host's place
        assertThat(o.events()).filteredOn(e -> e.kind() == Event.Kind.EXCLUDED).extracting(Event::detail)
                .containsExactly("host b excluded (it cannot be reached: its network is cut); spare c takes its place, dp 2 kept",
                        "host a excluded (rank 0 failed); spare d takes its place, dp 2 kept");
    }
}
