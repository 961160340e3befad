package wanka.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;
import wanka.dist.MeshShape.Dim;
import wanka.dist.inproc.InProcessWorld;

/** The tp × dp × pp layout in Megatron-LM's default order (tp fastest, then dp, then pp) and its groups. */
class MeshTest {
    @Test
    void groupsOfA2x2x2MeshAreMegatrons() {
        MeshShape s = new MeshShape(2, 2, 2);
        // Megatron-LM RankGenerator(order "tp-cp-ep-dp-pp"): rank = tp + 2·dp + 4·pp.
        assertThat(s.groups(Dim.TP)).containsExactly(List.of(0, 1), List.of(2, 3), List.of(4, 5), List.of(6, 7));
        assertThat(s.groups(Dim.DP)).containsExactly(List.of(0, 2), List.of(1, 3), List.of(4, 6), List.of(5, 7));
        assertThat(s.groups(Dim.PP)).containsExactly(List.of(0, 4), List.of(1, 5), List.of(2, 6), List.of(3, 7));
        assertThat(s.coord(6)).isEqualTo(new MeshShape.Coord(0, 1, 1));
    }

    @Test
    void dataParallelGroupsOfTheMegatronDocstringExample() {
        // parallel_state.generate_masked_orthogonal_rank_groups: tp 2, dp 3, pp 4 -> dp groups [0,2,4], [1,3,5] … [19,21,23]
        MeshShape s = new MeshShape(2, 3, 4);
        List<List<Integer>> dp = s.groups(Dim.DP);
        assertThat(dp).hasSize(8);
        assertThat(dp.get(0)).containsExactly(0, 2, 4);
        assertThat(dp.get(1)).containsExactly(1, 3, 5);
        assertThat(dp.get(7)).containsExactly(19, 21, 23);
        for (int r = 0; r < 24; r++) {
            assertThat(s.rank(s.coord(r))).isEqualTo(r);
        }
    }

    @Test
    void meshBuiltBySplitHasTheGroupsOfTheShapeAndWorks() {
        MeshShape shape = new MeshShape(2, 2, 2);
        try (InProcessWorld w = InProcessWorld.create(8); Arena arena = Arena.ofShared()) {
            List<DeviceMesh> meshes = Ranks.run(w, world -> {
                DeviceMesh m = DeviceMesh.create(world, shape);
                for (Dim d : Dim.values()) {
                    ProcessGroup g = m.group(d);
                    assertThat(g.size()).isEqualTo(2);
                    assertThat(g.rank()).isEqualTo(m.coord().get(d));
                    // members, as the group itself reports them: gather the world ranks
                    MemorySegment mine = arena.allocate(8), all = arena.allocate(8L * g.size());
                    mine.set(ValueLayout.JAVA_LONG, 0, world.rank());
                    g.allGather(Span.longs(mine), Span.longs(all));
                    List<Integer> members = java.util.Arrays.stream(all.toArray(ValueLayout.JAVA_LONG)).mapToObj(x -> (int) x).toList();
                    assertThat(members).isEqualTo(shape.groups(d).get(shape.groupIndex(d, m.coord())));
                }
                // a reduction in the dp group sums over the dp peers only
                MemorySegment v = arena.allocate(4);
                v.set(ValueLayout.JAVA_FLOAT, 0, world.rank());
                m.dp().allReduce(Span.floats(v));
                int peer = shape.rank(new MeshShape.Coord(m.coord().tp(), 1 - m.coord().dp(), m.coord().pp()));
                assertThat(v.get(ValueLayout.JAVA_FLOAT, 0)).isEqualTo((float) (world.rank() + peer));
                return m;
            });
            assertThat(meshes.get(5).coord()).isEqualTo(new MeshShape.Coord(1, 0, 1));
            assertThat(meshes.get(5).tp().name()).isEqualTo("tp");
        }
    }

    @Test
    void splitOrdersByKeyThenRank() {
        try (InProcessWorld w = InProcessWorld.create(6)) {
            List<int[]> got = Ranks.run(w, g -> {
                ProcessGroup s = g.split(g.rank() % 2, -g.rank());
                return new int[] {s.rank(), s.size()};
            });
            // color 0: ranks 0, 2, 4 with keys 0, -2, -4 -> order 4, 2, 0
            assertThat(got.get(4)).containsExactly(0, 3);
            assertThat(got.get(2)).containsExactly(1, 3);
            assertThat(got.get(0)).containsExactly(2, 3);
            assertThat(got.get(5)).containsExactly(0, 3);
        }
    }

    @Test
    void meshOfTheWrongSizeIsRefused() {
        try (InProcessWorld w = InProcessWorld.create(1)) {
            assertThatThrownBy(() -> DeviceMesh.create(w.group(0), new MeshShape(2, 1, 1)))
                    .hasMessageContaining("mesh tp2 x dp1 x pp1 needs 2 ranks, group 'world' has 1");
        }
    }
}
