package wanka.train.ft;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hang and straggler judgement on synthetic beat sequences (times are numbers here, nothing sleeps): a loaded machine
 * whose steps take 1 to 9 s, far above a 4 s floor, raises no false alarm because the limits follow the measured step
 * times and beat gaps; a stopped process (silent) and a rank alive in a step that never ends (stuck) are both caught,
 * each within a few times the run's own step time; a slowed rank is a straggler, a normal spread is not.
 */
class HealthMonitorTest {
    static final HealthMonitor.Limits LIMITS = new HealthMonitor.Limits(4000, 4, 60_000, 3, 20);

    /** Simulates ranks that beat every {@code beatMs} and finish steps of the given durations; the agent polls every 200 ms. */
    static final class Sim {
        final int ranks;
        final HealthMonitor monitor;
        final Heartbeat[] last;
        long now = 1_000_000;
        final List<Health> seen = new ArrayList<>();

        Sim(int ranks) {
            this.ranks = ranks;
            this.monitor = new HealthMonitor(ranks, now, LIMITS);
            this.last = new Heartbeat[ranks];
            for (int r = 0; r < ranks; r++) last[r] = new Heartbeat(r, 100 + r, 0, 0, 0, "ok", now + 3000, now + 3000); // JVM start, then the first beat
            now += 3000;
        }

        /** Runs for {@code ms}: rank r's step takes stepMs[r] (compute computeMs[r]), beats every beatMs unless frozen[r]; stuck ranks never finish. */
        void run(long ms, long[] stepMs, double[] computeMs, long beatMs, boolean[] frozen, boolean[] stuck) {
            run(ms, stepMs, computeMs, beatMs, frozen, stuck, new boolean[ranks]);
        }

        /** {@link #run(long, long[], double[], long, boolean[], boolean[])} where a ticking rank finishes a phase (its progress counter moves) between any two beats. */
        void run(long ms, long[] stepMs, double[] computeMs, long beatMs, boolean[] frozen, boolean[] stuck, boolean[] ticking) {
            long[] stepStart = new long[ranks], nextBeat = new long[ranks];
            for (int r = 0; r < ranks; r++) {
                stepStart[r] = last[r].finishedMs();
                nextBeat[r] = now + beatMs;
            }
            for (long t = now; t < now + ms; t += 100) {
                for (int r = 0; r < ranks; r++) {
                    if (frozen[r]) continue;
                    if (!stuck[r] && t - stepStart[r] >= stepMs[r]) {
                        last[r] = new Heartbeat(r, 100 + r, last[r].step() + 1, stepMs[r], computeMs[r], "ok", t, t, last[r].progress() + 1);
                        stepStart[r] = t;
                        nextBeat[r] = t + beatMs;
                    } else if (t >= nextBeat[r]) {
                        last[r] = last[r].again(t, last[r].progress() + (ticking[r] ? 1 : 0));
                        nextBeat[r] = t + beatMs;
                    }
                }
                if ((t - now) % 200 == 0) seen.add(monitor.observe(List.of(last), t));
            }
            now += ms;
        }

        boolean anyHung() {
            return seen.stream().anyMatch(h -> h instanceof Health.Hung);
        }

        Health.Hung firstHung() {
            return (Health.Hung) seen.stream().filter(h -> h instanceof Health.Hung).findFirst().orElseThrow();
        }
    }

    static long[] fill(int n, long v) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static double[] fillD(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @Test
    void aLoadedMachineWithStepsLongerThanTheFloorRaisesNoAlarm() {
        Sim sim = new Sim(2);
        Random rng = new Random(1);
        boolean[] none = new boolean[2];
        for (int i = 0; i < 40; i++) { // 40 phases of steps between 1 and 9 s, beats every 0.5 to 2 s (a starved JVM)
            long step = 1000 + rng.nextInt(8000);
            sim.run(2 * step, fill(2, step), fillD(2, step * 0.8), 500 + rng.nextInt(1500), none, none);
        }
        assertThat(sim.anyHung()).as("hang alarms on a slow but healthy run").isFalse();
        assertThat(sim.monitor.stepLimitMs()).isGreaterThan(9000 * 3);
    }

    @Test
    void aStoppedProcessIsCaughtByItsSilence() {
        Sim sim = new Sim(2);
        boolean[] none = new boolean[2];
        sim.run(20_000, fill(2, 1000), fillD(2, 800), 500, none, none);
        sim.run(30_000, fill(2, 1000), fillD(2, 800), 500, new boolean[]{false, true}, none);
        Health.Hung h = sim.firstHung();
        assertThat(h.rank()).isEqualTo(1);
        assertThat(h.why()).contains("no heartbeat");
        assertThat(h.silentMs()).isLessThan(5000); // 4 s floor (4 × a 0.5 s gap is less)
    }

    @Test
    void aRankAliveInAStepThatNeverEndsIsCaughtWithinAFewStepTimes() {
        Sim sim = new Sim(2);
        boolean[] none = new boolean[2];
        sim.run(60_000, fill(2, 3000), fillD(2, 2500), 500, none, none);
        assertThat(sim.anyHung()).isFalse();
        sim.run(60_000, fill(2, 3000), fillD(2, 2500), 500, none, new boolean[]{true, true}); // a deadlock: beats go on
        Health.Hung h = sim.firstHung();
        assertThat(h.why()).contains("alive but no step finished");
        assertThat(h.silentMs()).isBetween(12_000L, 13_000L); // 4 × the 3 s steps
    }

    @Test
    void aSlowedRankIsAStragglerAndANormalSpreadIsNot() {
        Sim spread = new Sim(4);
        boolean[] none = new boolean[4];
        spread.run(30_000, fill(4, 1000), new double[]{700, 900, 1000, 1300}, 500, none, none);
        assertThat(spread.seen).allMatch(h -> h instanceof Health.Progressing p && p.stragglers().isEmpty());

        Sim slowed = new Sim(4);
        slowed.run(30_000, fill(4, 4000), new double[]{700, 900, 3900, 1000}, 500, none, none); // rank 2 computes 4x longer; all wait for it
        assertThat(slowed.seen.getLast()).isInstanceOf(Health.Progressing.class);
        assertThat(((Health.Progressing) slowed.seen.getLast()).stragglers()).containsExactly(2);

        Sim two = new Sim(2); // with two ranks, each is judged against the other
        two.run(30_000, fill(2, 4000), new double[]{900, 3900}, 500, new boolean[2], new boolean[2]);
        assertThat(((Health.Progressing) two.seen.getLast()).stragglers()).containsExactly(1);
    }

    @Test
    void aStepSlowedByACheckpointWriteIsNotAHangWhileTheRankProgresses() {
        boolean[] none = new boolean[2];
        for (boolean ticks : new boolean[]{true, false}) {
            Sim sim = new Sim(2);
            sim.run(20_000, fill(2, 1000), fillD(2, 800), 500, none, none); // 1 s steps: the step limit is 4 s
            assertThat(sim.monitor.stepLimitMs()).isEqualTo(4000);
            // The level-3 store is away: rank 0's checkpoint write retries and fails level by level for 9 s, ticking at each;
            // rank 1 waits for it in the next collective (alive, no progress of its own). Both beat.
            sim.run(9_000, fill(2, 9_000), fillD(2, 800), 500, none, new boolean[]{true, true}, new boolean[]{ticks, false});
            sim.run(10_000, fill(2, 1000), fillD(2, 800), 500, none, none); // the write is done; steps go on
            if (ticks) assertThat(sim.anyHung()).as("a slow but progressing checkpoint step").isFalse();
            else assertThat(sim.firstHung().why()).as("without progress counters the same step is a (false) hang").contains("no rank progressed");
        }
    }

    @Test
    void aStoppedRankIsHungEvenWhileItsPeerProgresses() {
        Sim sim = new Sim(2);
        boolean[] none = new boolean[2];
        sim.run(20_000, fill(2, 1000), fillD(2, 800), 500, none, none);
        sim.run(30_000, fill(2, 1000), fillD(2, 800), 500, new boolean[]{true, false}, new boolean[]{true, true}, new boolean[]{false, true}); // SIGSTOP of rank 0
        Health.Hung h = sim.firstHung();
        assertThat(h.rank()).isZero();
        assertThat(h.why()).contains("no heartbeat");
        assertThat(h.silentMs()).isLessThan(5000);
    }

    @Test
    void ranksAliveWhoseProgressStopsAreHung() {
        Sim sim = new Sim(2);
        boolean[] none = new boolean[2], both = {true, true};
        sim.run(20_000, fill(2, 1000), fillD(2, 800), 500, none, none);
        sim.run(3_000, fill(2, 1000), fillD(2, 800), 500, none, both, both); // inside a step, phases still finish for 3 s...
        assertThat(sim.anyHung()).isFalse();
        sim.run(20_000, fill(2, 1000), fillD(2, 800), 500, none, both, none); // ...then a collective never returns (a cut link): beats go on, progress stops
        Health.Hung h = sim.firstHung();
        assertThat(h.why()).contains("alive but no step finished").contains("no rank progressed");
        assertThat(h.silentMs()).as("idle since the last finished step: 3 s of progress + the 4 s limit").isBetween(7_000L, 8_000L);
    }

    /** Beats of every rank after each step {@code k} at time {@code 10 s + k s}, with the given compute times, observed at once. */
    static List<Integer> stragglersAfter(HealthMonitor m, long k, double[] computeMs) {
        List<Heartbeat> beats = new ArrayList<>();
        long t = 10_000 + 1000 * k;
        for (int r = 0; r < computeMs.length; r++) beats.add(new Heartbeat(r, 100 + r, k, computeMs[r] + 50, computeMs[r], "ok", t, t, k));
        return ((Health.Progressing) m.observe(beats, t)).stragglers();
    }

    @Test
    void aShortSlowdownIsFlaggedAfterTwoStepsAndALoadedNormalSpreadNeverIs() {
        for (int ranks : new int[]{2, 4}) {
            HealthMonitor m = new HealthMonitor(ranks, 0, new HealthMonitor.Limits(4000, 4, 600_000, 3, 20));
            Random rng = new Random(ranks);
            long k = 1;
            for (; k <= 300; k++) { // the machine's load moves every step's time between 0.3 and 3 s; the ranks spread 0.7-1.3 around it
                double load = 300 + rng.nextInt(2700);
                double[] c = new double[ranks];
                for (int r = 0; r < ranks; r++) c[r] = load * (0.7 + 0.6 * rng.nextDouble());
                assertThat(stragglersAfter(m, k, c)).as("step %d of a normal spread, %d ranks", k, ranks).isEmpty();
            }
            int slow = ranks - 1;
            double[] c = new double[ranks];
            for (int step = 0; step < 2; step++, k++) { // rank `slow` stopped 150 of every 200 ms for two steps only: 4x its compute
                double load = 300 + rng.nextInt(2700);
                for (int r = 0; r < ranks; r++) c[r] = load * (0.7 + 0.6 * rng.nextDouble()) * (r == slow ? 4 : 1);
                List<Integer> flagged = stragglersAfter(m, k, c);
                if (step == 0) assertThat(flagged).as("one slow step is not enough").isEmpty();
                else assertThat(flagged).as("after two slow steps, %d ranks", ranks).containsExactly(slow);
            }
            for (int r = 0; r < ranks; r++) c[r] = 1000;
            stragglersAfter(m, k++, c);
            assertThat(stragglersAfter(m, k, c)).as("recovered").isEmpty();
        }
    }

    @Test
    void aRankThatNeverBeatsIsHungAfterTheStartTimeoutOnly() {
        HealthMonitor m = new HealthMonitor(2, 0, LIMITS);
        List<Heartbeat> one = List.of(new Heartbeat(0, 1, 0, 0, 0, "ok", 49_900, 49_900));
        assertThat(m.observe(one, 50_000)).isInstanceOf(Health.Progressing.class);
        assertThat(m.observe(List.of(new Heartbeat(0, 1, 0, 0, 0, "ok", 60_500, 49_900)), 61_000)).isEqualTo(new Health.Hung(1, -1, 61_000, "no heartbeat since the attempt started 61000 ms ago"));
    }
}
