package wanka.train.ft;

import java.util.ArrayList;
import java.util.List;

/**
 * The hosts a supervised job runs on, in order (ranks fill each host's slots in turn, as mpirun does), the spares
 * waiting to replace a failed one, and the hosts excluded after a failure.
 */
public record HostPool(List<Host> active, List<Host> spares, List<Host> excluded) {

    /** A host and how many ranks it runs. */
    public record Host(String name, int slots) {
        public Host {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("a host needs a name");
            if (slots < 1) throw new IllegalArgumentException("host " + name + ": slots must be >= 1, got " + slots);
        }

        /** "name:slots", as mpirun's --host takes it. */
        @Override
        public String toString() {
            return name + ":" + slots;
        }
    }

    public HostPool {
        active = List.copyOf(active);
        spares = List.copyOf(spares);
        excluded = List.copyOf(excluded);
        if (active.isEmpty()) throw new IllegalArgumentException("a host pool needs at least one active host");
    }

    /** Parses "a:2,b:2" (slots default to {@code slots}) for the active hosts and the spares (empty string: none). */
    public static HostPool parse(String activeHosts, String spareHosts, int slots) {
        return new HostPool(hosts(activeHosts, slots), hosts(spareHosts, slots), List.of());
    }

    private static List<Host> hosts(String list, int slots) {
        List<Host> out = new ArrayList<>();
        if (list == null || list.isBlank()) return out;
        for (String h : list.split(",")) {
            String[] p = h.strip().split(":");
            try {
                out.add(new Host(p[0], p.length > 1 ? Integer.parseInt(p[1]) : slots));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("host '" + h + "': slots must be a number (name:slots)");
            }
        }
        return out;
    }

    /** Ranks the active hosts run. */
    public int slots() {
        return active.stream().mapToInt(Host::slots).sum();
    }

    /** The active host of rank {@code rank} (hosts filled in order). */
    public String hostOf(int rank) {
        int r = rank;
        for (Host h : active) {
            if (r < h.slots()) return h.name();
            r -= h.slots();
        }
        throw new IllegalArgumentException("rank " + rank + " is beyond the " + slots() + " slots of " + active);
    }

    /** The active hosts' names in order. */
    public List<String> names() {
        return active.stream().map(Host::name).toList();
    }

    /**
     * This pool with {@code failed} excluded: in its place the first spare with at least as many slots (the layout is
     * kept), or, with none, without it (fewer ranks).
     */
    public HostPool without(String failed) {
        int at = names().indexOf(failed);
        if (at < 0) throw new IllegalArgumentException("host " + failed + " is not among the active hosts " + names());
        Host gone = active.get(at);
        List<Host> act = new ArrayList<>(active), spare = new ArrayList<>(spares), ex = new ArrayList<>(excluded);
        ex.add(gone);
        Host replacement = spare.stream().filter(s -> s.slots() >= gone.slots()).findFirst().orElse(null);
        if (replacement != null) {
            spare.remove(replacement);
            act.set(at, new Host(replacement.name(), gone.slots()));
        } else {
            act.remove(at);
            if (act.isEmpty()) throw new IllegalStateException("host " + failed + " failed and no host is left (excluded: " + ex + ")");
        }
        return new HostPool(act, spare, ex);
    }

    /** This pool with excluded host {@code host} back among the spares, at the end (repaired). */
    public HostPool readmit(String host) {
        Host h = excluded.stream().filter(e -> e.name().equals(host)).findFirst().orElseThrow(() -> new IllegalArgumentException("host " + host + " is not excluded"));
        List<Host> ex = new ArrayList<>(excluded), spare = new ArrayList<>(spares);
        ex.remove(h);
        spare.add(h);
        return new HostPool(active, spare, ex);
    }
}
