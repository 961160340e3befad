/* MPI_Allreduce and MPI_Iallreduce of N floats (sum, in place) between the ranks, whole and cut into 2, 4, 8, 16 and 32
 * consecutive pieces in flight together; REPS rounds in turn, prints the median and minimum ms per configuration on
 * rank 0. Shows why the MPI backend splits large all-reduces (MpiGroup.PIECE_BYTES). Build: mpicc -O2.
 *   mpirun -np 2 ./allreduce-pieces 55000000 5 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank; MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    long n = atol(argv[1]); int reps = atoi(argv[2]);
    int pcs[] = {1, 2, 4, 8, 16, 32}; int np = 6;
    float *buf = malloc(n * sizeof(float));
    for (long i = 0; i < n; i++) buf[i] = (float) (i % 7);
    MPI_Request req[64];
    double t[2][6][32];
    for (int r = 0; r < reps; r++) for (int mode = 0; mode < 2; mode++) for (int c = 0; c < np; c++) {
      int pieces = pcs[c]; long per = n / pieces;
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = MPI_Wtime();
      if (mode == 0) { for (int p = 0; p < pieces; p++) MPI_Allreduce(MPI_IN_PLACE, buf + p * per, (int) per, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); }
      else { for (int p = 0; p < pieces; p++) MPI_Iallreduce(MPI_IN_PLACE, buf + p * per, (int) per, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &req[p]); MPI_Waitall(pieces, req, MPI_STATUSES_IGNORE); }
      t[mode][c][r] = (MPI_Wtime() - t0) * 1e3;
    }
    if (rank == 0) for (int mode = 0; mode < 2; mode++) for (int c = 0; c < np; c++) { qsort(t[mode][c], reps, sizeof(double), cmp); printf("%s pieces=%d (%.1fM floats) median_ms=%.1f min=%.1f\n", mode ? "Iallreduce" : "Allreduce", pcs[c], n / pcs[c] / 1e6, t[mode][c][reps/2], t[mode][c][0]); }
    MPI_Finalize();
    return 0;
}
