package wanka.train.ft;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hosts, spares and exclusions: ranks fill hosts in order; a failed host is replaced by a spare in place, or dropped. */
class HostPoolTest {
    @Test
    void aFailedHostIsReplacedInPlaceBySpareThenDropped() {
        HostPool p = HostPool.parse("a:2,b:2", "c", 2);
        assertThat(p.slots()).isEqualTo(4);
        assertThat(List.of(p.hostOf(0), p.hostOf(1), p.hostOf(2), p.hostOf(3))).containsExactly("a", "a", "b", "b");
        HostPool q = p.without("a");
        assertThat(q.names()).containsExactly("c", "b");
        assertThat(q.slots()).isEqualTo(4);
        assertThat(q.excluded()).extracting(HostPool.Host::name).containsExactly("a");
        HostPool r = q.without("b");
        assertThat(r.names()).containsExactly("c");
        assertThat(r.slots()).isEqualTo(2);
        assertThatThrownBy(() -> r.without("c")).hasMessageContaining("no host is left");
        assertThatThrownBy(() -> r.without("zz")).hasMessageContaining("host zz is not among the active hosts [c]");
        assertThatThrownBy(() -> HostPool.parse("a:x", "", 1)).hasMessageContaining("host 'a:x'");
    }
}
