package wanka.dist.mpi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import wanka.dist.DataType;
import wanka.dist.DistException;
import wanka.dist.ReduceOp;

/**
 * Open MPI 4.x's C API through FFM ({@code libmpi.so.40}): the functions the backend calls and the predefined
 * handles, which in Open MPI are addresses of global structs ({@code MPI_COMM_WORLD} is
 * {@code &ompi_mpi_comm_world}, {@code MPI_FLOAT} {@code &ompi_mpi_float}, …). MPICH's integer handles would
 * need a second binding. Every call returns MPI's error code; {@link #check} turns a failure into a
 * {@link DistException} with {@code MPI_Error_string}'s text.
 */
final class MpiLib {
    static final String LIBRARY = "libmpi.so.40";
    static final String INSTALL_HINT = "Open MPI is not installed (" + LIBRARY + " not found): install it with "
            + "'apt-get install openmpi-bin libopenmpi-dev' (Debian/Ubuntu) or load your cluster's Open MPI 4.x "
            + "module; without it, run the ranks in-process (threads of one JVM)";
    static final int SUCCESS = 0;
    static final int THREAD_FUNNELED = 1;
    /** Open MPI's {@code MPI_IN_PLACE} is {@code (void *) 1}. */
    static final MemorySegment IN_PLACE = MemorySegment.ofAddress(1);
    private static final int MAX_STRING = 256;

    final MemorySegment commWorld;
    final MemorySegment errorsReturn;
    private final MemorySegment opSum, opMax, typeFloat, typeDouble, typeLong, typeByte;
    private final MethodHandle initialized, finalized, initThread, finalizeMpi, commRank, commSize, commSplit,
            commFree, commSetErrhandler, iallreduce, ireduceScatterBlock, iallgather, ibcast, isend, irecv,
            ibarrier, test, errorString, abort, processorName;

    private MpiLib(SymbolLookup lib) {
        commWorld = symbol(lib, "ompi_mpi_comm_world");
        errorsReturn = symbol(lib, "ompi_mpi_errors_return");
        opSum = symbol(lib, "ompi_mpi_op_sum");
        opMax = symbol(lib, "ompi_mpi_op_max");
        typeFloat = symbol(lib, "ompi_mpi_float");
        typeDouble = symbol(lib, "ompi_mpi_double");
        typeLong = symbol(lib, "ompi_mpi_int64_t");
        typeByte = symbol(lib, "ompi_mpi_byte");
        initialized = fn(lib, "MPI_Initialized", ADDRESS);
        finalized = fn(lib, "MPI_Finalized", ADDRESS);
        initThread = fn(lib, "MPI_Init_thread", ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
        finalizeMpi = fn(lib, "MPI_Finalize");
        commRank = fn(lib, "MPI_Comm_rank", ADDRESS, ADDRESS);
        commSize = fn(lib, "MPI_Comm_size", ADDRESS, ADDRESS);
        commSplit = fn(lib, "MPI_Comm_split", ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        commFree = fn(lib, "MPI_Comm_free", ADDRESS);
        commSetErrhandler = fn(lib, "MPI_Comm_set_errhandler", ADDRESS, ADDRESS);
        iallreduce = fn(lib, "MPI_Iallreduce", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        ireduceScatterBlock = fn(lib, "MPI_Ireduce_scatter_block", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS);
        iallgather = fn(lib, "MPI_Iallgather", ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        ibcast = fn(lib, "MPI_Ibcast", ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        isend = fn(lib, "MPI_Isend", ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        irecv = fn(lib, "MPI_Irecv", ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        ibarrier = fn(lib, "MPI_Ibarrier", ADDRESS, ADDRESS);
        test = fn(lib, "MPI_Test", ADDRESS, ADDRESS, ADDRESS);
        errorString = fn(lib, "MPI_Error_string", JAVA_INT, ADDRESS, ADDRESS);
        abort = fn(lib, "MPI_Abort", ADDRESS, JAVA_INT);
        processorName = fn(lib, "MPI_Get_processor_name", ADDRESS, ADDRESS);
    }

    /** Loads the library (for the life of the process) or says how to install it. */
    static MpiLib load() {
        return load(LIBRARY);
    }

    static MpiLib load(String library) {
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new DistException(INSTALL_HINT, e);
        }
        return new MpiLib(lib);
    }

    /** Why Open MPI cannot be used here, or empty when its library loads. Leaves nothing loaded. */
    static Optional<String> unavailable() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(LIBRARY, arena).findOrThrow("MPI_Init_thread");
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(INSTALL_HINT);
        }
    }

    MemorySegment type(DataType t) {
        return switch (t) {
            case FLOAT -> typeFloat;
            case DOUBLE -> typeDouble;
            case LONG -> typeLong;
            case BYTE -> typeByte;
        };
    }

    MemorySegment op(ReduceOp op) {
        return switch (op) {
            case SUM -> opSum;
            case MAX -> opMax;
        };
    }

    boolean initialized(Arena a) {
        MemorySegment flag = a.allocate(JAVA_INT);
        check(call(initialized, flag), "MPI_Initialized");
        return flag.get(JAVA_INT, 0) != 0;
    }

    boolean finalized(Arena a) {
        MemorySegment flag = a.allocate(JAVA_INT);
        check(call(finalized, flag), "MPI_Finalized");
        return flag.get(JAVA_INT, 0) != 0;
    }

    /** MPI_Init_thread with no arguments; returns the thread level provided. */
    int initThread(Arena a, int required) {
        MemorySegment provided = a.allocate(JAVA_INT);
        check(call(initThread, MemorySegment.NULL, MemorySegment.NULL, required, provided), "MPI_Init_thread");
        return provided.get(JAVA_INT, 0);
    }

    int finalizeMpi() {
        return call(finalizeMpi);
    }

    int commRank(Arena a, MemorySegment comm) {
        MemorySegment out = a.allocate(JAVA_INT);
        check(call(commRank, comm, out), "MPI_Comm_rank");
        return out.get(JAVA_INT, 0);
    }

    int commSize(Arena a, MemorySegment comm) {
        MemorySegment out = a.allocate(JAVA_INT);
        check(call(commSize, comm, out), "MPI_Comm_size");
        return out.get(JAVA_INT, 0);
    }

    MemorySegment commSplit(Arena a, MemorySegment comm, int color, int key) {
        MemorySegment out = a.allocate(ADDRESS);
        check(call(commSplit, comm, color, key, out), "MPI_Comm_split");
        return out.get(ADDRESS, 0);
    }

    int commFree(Arena a, MemorySegment comm) {
        MemorySegment slot = a.allocate(ADDRESS);
        slot.set(ADDRESS, 0, comm);
        return call(commFree, slot);
    }

    void returnErrors(MemorySegment comm) {
        check(call(commSetErrhandler, comm, errorsReturn), "MPI_Comm_set_errhandler");
    }

    int iallreduce(MemorySegment send, MemorySegment recv, int count, MemorySegment type, MemorySegment op,
            MemorySegment comm, MemorySegment request) {
        return call(iallreduce, send, recv, count, type, op, comm, request);
    }

    int ireduceScatterBlock(MemorySegment send, MemorySegment recv, int count, MemorySegment type, MemorySegment op,
            MemorySegment comm, MemorySegment request) {
        return call(ireduceScatterBlock, send, recv, count, type, op, comm, request);
    }

    int iallgather(MemorySegment send, int count, MemorySegment type, MemorySegment recv, MemorySegment comm,
            MemorySegment request) {
        return call(iallgather, send, count, type, recv, count, type, comm, request);
    }

    int ibcast(MemorySegment buf, int count, MemorySegment type, int root, MemorySegment comm, MemorySegment request) {
        return call(ibcast, buf, count, type, root, comm, request);
    }

    int isend(MemorySegment buf, int count, MemorySegment type, int dst, int tag, MemorySegment comm,
            MemorySegment request) {
        return call(isend, buf, count, type, dst, tag, comm, request);
    }

    int irecv(MemorySegment buf, int count, MemorySegment type, int src, int tag, MemorySegment comm,
            MemorySegment request) {
        return call(irecv, buf, count, type, src, tag, comm, request);
    }

    int ibarrier(MemorySegment comm, MemorySegment request) {
        return call(ibarrier, comm, request);
    }

    /** MPI_Test with MPI_STATUS_IGNORE; {@code flag} receives whether the request completed. */
    int test(MemorySegment request, MemorySegment flag) {
        try {
            return (int) test.invokeExact(request, flag, MemorySegment.NULL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new DistException("calling MPI_Test failed", t);
        }
    }

    int abort(MemorySegment comm, int code) {
        return call(abort, comm, code);
    }

    String processorName(Arena a) {
        MemorySegment name = a.allocate(MAX_STRING);
        MemorySegment len = a.allocate(JAVA_INT);
        return call(processorName, name, len) == SUCCESS ? name.getString(0) : "?";
    }

    /** MPI_Error_string's text for {@code code}. */
    String errorString(int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment text = a.allocate(MAX_STRING);
            MemorySegment len = a.allocate(JAVA_INT);
            return call(errorString, code, text, len) == SUCCESS ? text.getString(0) : "unknown MPI error";
        }
    }

    /** Throws a {@link DistException} naming {@code what} and MPI's text if {@code code} is a failure. */
    void check(int code, String what) {
        if (code != SUCCESS) {
            throw new DistException(what + " failed: " + errorString(code) + " (MPI error " + code + ")");
        }
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new DistException(LIBRARY + " has no symbol " + name
                + ": the MPI backend needs Open MPI 4.x (MPICH and others use other handles)"));
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout... args) {
        return Linker.nativeLinker().downcallHandle(symbol(lib, name), FunctionDescriptor.of(JAVA_INT, args));
    }

    private static int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new DistException("calling MPI failed", t);
        }
    }
}
