package wanka.train.store;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which host a rank runs on, as the rank itself can tell: what decides where level 1's peer copies go (a copy is only
 * worth something on another host). On a cluster that is the machine's name; simulated hosts on one machine (network
 * namespaces share the hostname, threads of one JVM share everything) name theirs explicitly.
 */
@FunctionalInterface
public interface HostNaming {
    /** The environment variable that names a process's host explicitly (set by the netns-hosts rsh agent). */
    String ENV = "WANKA_HOST";

    /** The host of world rank {@code rank} of {@code worldSize}; called on that rank. */
    String host(int rank, int worldSize);

    /** {@code $WANKA_HOST} when set, else the machine's hostname. */
    static HostNaming fromEnvironment() {
        return (rank, worldSize) -> {
            String explicit = System.getenv(ENV);
            if (explicit != null && !explicit.isBlank()) return explicit.strip();
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                String h = System.getenv("HOSTNAME");
                if (h != null && !h.isBlank()) return h;
                throw new IllegalStateException("cannot tell this machine's hostname (" + e.getMessage() + "); set " + ENV, e);
            }
        };
    }

    /**
     * Simulated hosts: the world's ranks split into {@code hosts.size()} equal consecutive blocks, block {@code i} on
     * {@code hosts.get(i)} (as mpirun fills host slots in order).
     */
    static HostNaming simulated(List<String> hosts) {
        List<String> names = List.copyOf(hosts);
        if (names.isEmpty()) throw new IllegalArgumentException("simulated hosts: no host names given");
        return (rank, worldSize) -> {
            if (worldSize % names.size() != 0) throw new IllegalArgumentException(worldSize + " ranks do not split evenly over the simulated hosts " + names);
            return names.get(rank / (worldSize / names.size()));
        };
    }
}
