package wanka.train.parallel;

import org.junit.jupiter.api.Test;
import wanka.model.TeleChat2Config;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelLayoutTest {
    static final TeleChat2Config CONFIG = TeleChat2Config.of(64, 64, 4, 4, 2, 128, 16);

    static ParallelLayout layout(int tp, int dp, int pp, int vpp, int micro, int global, List<Integer> stages) {
        return new ParallelLayout(tp, dp, pp, vpp, micro, global, false, false, 1000, stages);
    }

    @Test
    void aFittingLayoutHasNoProblems() {
        assertThat(layout(2, 2, 2, 1, 2, 8, List.of()).problems(CONFIG, 16, 8)).isEmpty();
        assertThat(layout(1, 1, 2, 1, 1, 4, List.of(3, 1)).problems(CONFIG, 16, 2)).isEmpty();
    }

    @Test
    void everyReasonIsNamed() {
        // 4 heads, 2 kv heads, 4 layers, vocab 64: tp 4 splits heads but not kv heads; 3 stages do not split 4 layers.
        assertThat(layout(4, 1, 3, 1, 3, 8, List.of()).problems(CONFIG, 16, 8)).containsExactly(
                "tp 4 × dp 1 × pp 3 = 12 ranks, but the job has 8",
                "num_key_value_heads 2 is not divisible by --tp 4 (each rank needs whole kv heads)",
                "n_layer 4 does not split evenly into pp 3 × vpp 1 = 3 stages; give the layers of each stage",
                "--global-batch 8 is not a multiple of --micro-batch 3 × --dp 1");
        assertThat(layout(1, 1, 2, 1, 1, 4, List.of(3, 2)).problems(CONFIG, 16, 2))
                .containsExactly("the stage layer counts [3, 2] add up to 5, the model has n_layer 4");
        assertThat(layout(1, 1, 2, 2, 1, 3, List.of()).problems(CONFIG, 16, 2))
                .containsExactly("interleaved stages need the micro-batches per step (3) to be a multiple of --pp 2");
        assertThat(layout(1, 1, 1, 2, 1, 4, List.of()).problems(CONFIG, 16, 1)).contains("--vpp 2 needs pipeline parallelism (--pp > 1)");
        assertThatThrownBy(() -> layout(3, 1, 1, 1, 1, 1, List.of()).check(CONFIG, 16, 3))
                .hasMessageContaining("n_head 4 is not divisible by --tp 3").hasMessageContaining("vocab_size 64 is not divisible by --tp 3");
        assertThatThrownBy(() -> layout(0, 1, 1, 1, 1, 1, List.of())).hasMessage("--tp must be >= 1, got 0");
    }

    @Test
    void oneFOneBWarmsUpThenAlternates() {
        // pp 4, 4 micro-batches: rank 0 runs 3 warm-up forwards, rank 3 none.
        assertThat(PipelineSchedule.of(4, 0, 4, 1).toString()).isEqualTo("[F0, F1, F2, F3, B0, B1, B2, B3]");
        assertThat(PipelineSchedule.of(4, 3, 4, 1).toString()).isEqualTo("[F0, B0, F1, B1, F2, B2, F3, B3]");
        assertThat(PipelineSchedule.of(2, 0, 3, 1).toString()).isEqualTo("[F0, F1, B0, F2, B1, B2]");
    }

    @Test
    void interleavedRunsEveryChunkOnEveryMicroBatchOnce() {
        for (int rank = 0; rank < 2; rank++) {
            List<PipelineSchedule.Action> a = PipelineSchedule.of(2, rank, 4, 2);
            assertThat(a).hasSize(16).doesNotHaveDuplicates();
            for (PipelineSchedule.Action x : a) {
                if (!x.forward()) assertThat(a.indexOf(new PipelineSchedule.Action(true, x.chunk(), x.micro()))).isLessThan(a.indexOf(x));
            }
        }
        // Megatron's order for rank 0 of 2 with 2 chunks: micro-batches go through chunk 0, then chunk 1, in groups of p.
        assertThat(PipelineSchedule.of(2, 0, 4, 2).subList(0, 4).toString()).isEqualTo("[F0, F1, F0.1, F1.1]");
    }
}
