/* Peer for `wanka bench parallel`: MPI_Allreduce of N floats (sum) between the ranks, timed over REPS calls after
 * one warm-up; prints "c_allreduce floats=N reps=R ms_per_call=… algbw_GBps=…" on rank 0. Build: mpicc -O2. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    long n = argc > 1 ? atol(argv[1]) : 4L << 20;
    int reps = argc > 2 ? atoi(argv[2]) : 10;
    float *buf = malloc(n * sizeof(float));
    for (long i = 0; i < n; i++) buf[i] = (float) (i % 7);
    MPI_Allreduce(MPI_IN_PLACE, buf, (int) n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    for (int r = 0; r < reps; r++) MPI_Allreduce(MPI_IN_PLACE, buf, (int) n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    double ms = (MPI_Wtime() - t0) * 1e3 / reps;
    if (rank == 0) printf("c_allreduce floats=%ld reps=%d ms_per_call=%.3f algbw_GBps=%.3f\n", n, reps, ms, 4.0 * n / (ms * 1e6));
    free(buf);
    MPI_Finalize();
    return 0;
}
