package wanka.dist.mpi;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import wanka.dist.DistException;

/** Without Open MPI's library the error says what to install. */
class MpiLibTest {
    @Test
    void missingLibraryExplainsHowToInstallOpenMpi() {
        assertThatThrownBy(() -> MpiLib.load("libwanka-no-such-mpi.so.40"))
                .isInstanceOf(DistException.class)
                .hasMessageContaining("Open MPI is not installed")
                .hasMessageContaining("apt-get install openmpi-bin libopenmpi-dev");
    }
}
