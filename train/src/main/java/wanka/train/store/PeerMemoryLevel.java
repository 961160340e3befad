package wanka.train.store;

import wanka.dist.ProcessGroup;
import wanka.dist.ReduceOp;
import wanka.dist.Span;
import wanka.model.TeleChat2Config;
import wanka.train.CheckpointLayout;
import wanka.train.CheckpointManifest;
import wanka.train.Checkpoints;
import wanka.train.RankShard;
import wanka.train.ShardIndex;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@link PeerMemory} at work in one job: every rank's host, its host's area, the peer its shards go to and the ranks
 * whose shards it keeps. Each host area is a directory of checkpoints ({@code step-N/}, committed by renaming
 * {@code step-N.partial/} once its manifest is written) holding the shards of the host's own ranks and the peer copies
 * it keeps; the host's first rank (its leader) commits and prunes it.
 *
 * <p>Rank r's peer is the rank of the same local index (modulo) on the next host, in the order the hosts first appear
 * among the ranks; with one host there is no peer and the level holds own copies only (it says so).
 */
public final class PeerMemoryLevel {
    private static final int NAME_BYTES = 128, CANDIDATES = 16;
    private static final int TAG_WRITE = 20_100, TAG_RECOVER = 20_200;

    private final PeerMemory spec;
    private final ProcessGroup group;
    private final List<String> hostOf;
    private final int rank, peer;
    private final List<Integer> keptFor;
    private final boolean leader;
    private final Checkpoints area;

    private PeerMemoryLevel(PeerMemory spec, ProcessGroup group, List<String> hostOf) {
        this.spec = spec;
        this.group = group;
        this.hostOf = List.copyOf(hostOf);
        this.rank = group.rank();
        this.area = Checkpoints.inRoot(spec.areaOf(hostOf.get(rank)));
        this.leader = hostOf.indexOf(hostOf.get(rank)) == rank;
        int[] peers = peers(hostOf);
        this.peer = peers[rank];
        List<Integer> kept = new ArrayList<>();
        for (int q = 0; q < peers.length; q++) if (peers[q] == rank) kept.add(q);
        this.keptFor = List.copyOf(kept);
    }

    static PeerMemoryLevel open(PeerMemory spec, ProcessGroup group) {
        String mine = spec.hosts().host(group.rank(), group.size());
        byte[] name = mine.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > NAME_BYTES) throw new IllegalArgumentException("host name '" + mine + "' of rank " + group.rank() + ": 1 to " + NAME_BYTES + " bytes");
        List<String> hosts = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = arena.allocate(NAME_BYTES), all = arena.allocate((long) NAME_BYTES * group.size());
            MemorySegment.copy(name, 0, in, ValueLayout.JAVA_BYTE, 0, name.length);
            group.allGather(Span.bytes(in), Span.bytes(all));
            for (int r = 0; r < group.size(); r++) {
                byte[] b = all.asSlice((long) r * NAME_BYTES, NAME_BYTES).toArray(ValueLayout.JAVA_BYTE);
                int n = 0;
                while (n < b.length && b[n] != 0) n++;
                hosts.add(new String(b, 0, n, StandardCharsets.UTF_8));
            }
        }
        return new PeerMemoryLevel(spec, group, hosts);
    }

    /** Each rank's peer: the rank of the same local index (modulo) on the next host; -1 with one host. */
    public static int[] peers(List<String> hostOf) {
        List<String> hosts = hostOf.stream().distinct().toList();
        Map<String, List<Integer>> ranks = new LinkedHashMap<>();
        for (int r = 0; r < hostOf.size(); r++) ranks.computeIfAbsent(hostOf.get(r), h -> new ArrayList<>()).add(r);
        int[] peers = new int[hostOf.size()];
        for (int r = 0; r < hostOf.size(); r++) {
            if (hosts.size() == 1) {
                peers[r] = -1;
                continue;
            }
            String h = hostOf.get(r);
            List<Integer> next = ranks.get(hosts.get((hosts.indexOf(h) + 1) % hosts.size()));
            peers[r] = next.get(ranks.get(h).indexOf(r) % next.size());
        }
        return peers;
    }

    /** Every rank's host, by world rank. */
    public List<String> hosts() {
        return hostOf;
    }

    /** The rank this rank's shards are copied to (-1: none, one host only). */
    public int peer() {
        return peer;
    }

    /** The ranks whose shards this rank keeps copies of. */
    public List<Integer> keptFor() {
        return keptFor;
    }

    /** This rank's host area. */
    public Path area() {
        return area.root();
    }

    public boolean due(long step) {
        return spec.due(step);
    }

    /** "level 1 (memory on peer hosts: /dev/shm/wanka/{host})", for messages. */
    public String describe() {
        return "level 1 (memory on peer hosts: " + spec.area() + ")";
    }

    /**
     * Saves {@code shard} into this host's area and sends it to the peer, keeping the copies this rank receives (a
     * collective over the level's group: every rank calls it for the same steps). Once every rank has written both,
     * each host's leader commits its area's checkpoint; if any rank failed, no host commits it and every rank throws,
     * naming the ranks that failed.
     */
    public void write(RankShard shard, CheckpointLayout layout, Checkpoints.State state, TeleChat2Config config) throws IOException {
        long step = shard.step();
        Path tmp = area.partial(step);
        String failure = null;
        byte[] mine = new byte[0];
        try {
            shard.writeInto(tmp);
            mine = FileBundle.empty().with(tmp, shardFiles(rank)).toBytes();
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? Checkpoints.reason(io) : e.toString();
        }
        Map<Integer, byte[]> got = ByteMessages.exchange(group, peer < 0 ? Map.of() : Map.of(peer, mine), keptFor, TAG_WRITE);
        for (var e : got.entrySet()) {
            try {
                if (e.getValue().length == 0) continue; // the sender failed; it says why
                FileBundle.parse(e.getValue(), "rank " + e.getKey()).writeInto(tmp);
            } catch (IOException | RuntimeException ex) {
                if (failure == null) failure = "keeping rank " + e.getKey() + "'s copy: " + (ex instanceof IOException io ? Checkpoints.reason(io) : ex.toString());
            }
        }
        double[] failed = new double[group.size()];
        failed[rank] = failure == null ? 0 : 1;
        allReduce(failed, ReduceOp.SUM);
        List<Integer> bad = new ArrayList<>();
        for (int r = 0; r < failed.length; r++) if (failed[r] > 0) bad.add(r);
        if (!bad.isEmpty()) {
            if (leader) deleteTree(tmp);
            throw new IOException("step " + step + " not kept at " + describe() + ": rank(s) " + bad + " failed" + (failure != null ? "; here: " + failure : ""));
        }
        if (!leader) return;
        Map<String, CheckpointManifest.Entry> known = new HashMap<>();
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path d : s.filter(p -> p.getFileName().toString().matches("rank-\\d{5}")).toList()) {
                for (CheckpointManifest.Entry e : ShardIndex.read(d.resolve(ShardIndex.FILE)).files()) known.put(e.path(), e);
            }
        }
        config.write(tmp.resolve("config.json"));
        CheckpointManifest.of(tmp, step, layout, state, known).write(tmp);
        area.commit(step);
        area.prune(spec.keep());
    }

    /**
     * Assembles, on rank 0, the newest checkpoint of which every rank's shard is kept, as its own copy or a peer's, in
     * some host's area, into {@code into/step-N} (a collective over the level's group; the other hosts' leaders send
     * rank 0 the shards its own area lacks). Each shard is checked against its host's manifest before it is sent, and
     * against it again when the assembled checkpoint is read. Returns the step (on every rank), or empty when no step
     * is complete anywhere. Also removes what unfinished writes left in the host areas.
     */
    public Optional<Long> recover(Path into, Consumer<String> log) throws IOException {
        int size = group.size();
        List<Long> local = List.of();
        if (leader) {
            area.removePartials();
            local = area.newestFirst().stream().map(p -> Long.parseLong(p.getFileName().toString().substring(5))).limit(CANDIDATES).toList();
        }
        double[] cand = new double[size * CANDIDATES];
        for (int i = 0; i < local.size(); i++) cand[rank * CANDIDATES + i] = local.get(i) + 1;
        allReduce(cand, ReduceOp.SUM);
        TreeSet<Long> steps = new TreeSet<>(Comparator.reverseOrder());
        for (double c : cand) if (c > 0) steps.add((long) c - 1);
        Checkpoints target = Checkpoints.inRoot(into);
        if (rank == 0) deleteTree(into);
        for (long step : steps) {
            CheckpointManifest m = null;
            if (leader && Files.isDirectory(area.dir(step))) {
                try {
                    m = CheckpointManifest.read(area.dir(step)).orElse(null);
                } catch (IOException e) {
                    log.accept("skipping step " + step + " in " + area.dir(step) + ": " + e.getMessage());
                }
            }
            double[] world = {m != null && m.layout() != null ? m.layout().worldSize() : 0};
            allReduce(world, ReduceOp.MAX);
            int w = (int) world[0];
            if (w == 0) continue;
            // holder[r] = size - (first rank whose host keeps a verified copy of rank r's shard); holder[w]: of the metadata
            double[] holder = new double[w + 1];
            Map<Integer, List<String>> files = new HashMap<>();
            if (m != null && m.layout().worldSize() == w) {
                for (int r = 0; r < w; r++) {
                    List<String> f = verified(area.dir(step), m, r, log);
                    if (f != null) {
                        holder[r] = size - rank;
                        files.put(r, f);
                    }
                }
                holder[w] = size - rank;
            }
            allReduce(holder, ReduceOp.MAX);
            List<Integer> missing = new ArrayList<>();
            for (int r = 0; r < w; r++) if (holder[r] == 0) missing.add(r);
            if (!missing.isEmpty()) {
                if (rank == 0) log.accept("level 1: step " + step + " lacks the shards of rank(s) " + missing + " on every host; trying an older step");
                continue;
            }
            Map<Integer, byte[]> out = new HashMap<>();
            List<Integer> from = new ArrayList<>();
            Map<Integer, List<Integer>> bySender = new LinkedHashMap<>();
            for (int r = 0; r <= w; r++) bySender.computeIfAbsent(size - (int) holder[r], k -> new ArrayList<>()).add(r);
            if (rank != 0 && bySender.containsKey(rank)) {
                FileBundle b = FileBundle.empty();
                for (int r : bySender.get(rank)) b = r == w ? b.with(area.dir(step), List.of("config.json", CheckpointManifest.FILE)) : b.with(area.dir(step), files.get(r));
                out.put(0, b.toBytes());
            }
            if (rank == 0) for (int s : bySender.keySet()) if (s != 0) from.add(s);
            Map<Integer, byte[]> got = ByteMessages.exchange(group, out, from, TAG_RECOVER);
            if (rank == 0) {
                Path tmp = target.partial(step);
                deleteTree(tmp);
                Files.createDirectories(tmp);
                CheckpointManifest source = null;
                Map<String, CheckpointManifest.Entry> known = new HashMap<>();
                if (bySender.containsKey(0)) {
                    for (int r : bySender.get(0)) {
                        if (r == w) {
                            source = m;
                            Files.copy(area.dir(step).resolve("config.json"), tmp.resolve("config.json"));
                        } else {
                            FileBundle.empty().with(area.dir(step), files.get(r)).writeInto(tmp);
                        }
                    }
                    known.putAll(m.byPath());
                }
                for (var e : got.entrySet()) {
                    FileBundle b = FileBundle.parse(e.getValue(), "rank " + e.getKey() + " (host " + hostOf.get(e.getKey()) + ")");
                    for (FileBundle.Item i : b.items()) {
                        if (i.path().equals(CheckpointManifest.FILE)) {
                            CheckpointManifest theirs = CheckpointManifest.parse(i.data(), "rank " + e.getKey() + "'s " + CheckpointManifest.FILE);
                            known.putAll(theirs.byPath());
                            if (source == null) source = theirs;
                        } else {
                            new FileBundle(List.of(i)).writeInto(tmp);
                        }
                    }
                }
                if (source == null) throw new IOException("level 1: no manifest of step " + step + " reached rank 0");
                CheckpointManifest.of(tmp, step, source.layout(), source.state(), known).write(tmp);
                target.commit(step);
                StringBuilder said = new StringBuilder("level 1: step " + step + " assembled from the host areas:");
                for (var e : bySender.entrySet()) {
                    List<Integer> ranks = e.getValue().stream().filter(r -> r < w).toList();
                    if (ranks.isEmpty()) continue;
                    String h = hostOf.get(e.getKey());
                    List<Integer> peerCopies = ranks.stream().filter(r -> r >= hostOf.size() || !hostOf.get(r).equals(h)).toList();
                    said.append(" ranks ").append(ranks).append(" from host ").append(h).append(peerCopies.isEmpty() ? "" : " (peer copies of " + peerCopies + ")").append(';');
                }
                log.accept(said.toString());
            }
            return Optional.of(step);
        }
        return Optional.empty();
    }

    /** The files of rank {@code r}'s shard in checkpoint {@code dir} if its manifest lists them and each matches; else null. */
    private static List<String> verified(Path dir, CheckpointManifest m, int r, Consumer<String> log) {
        String prefix = ShardIndex.folder(r) + "/";
        List<CheckpointManifest.Entry> entries = m.files().stream().filter(e -> e.path().startsWith(prefix)).toList();
        if (entries.isEmpty()) return null;
        List<String> paths = new ArrayList<>();
        for (CheckpointManifest.Entry e : entries) {
            Path f = dir.resolve(e.path());
            try {
                if (!Files.isRegularFile(f) || Files.size(f) != e.bytes() || CheckpointManifest.crc32c(f) != e.crc32c()) {
                    log.accept("level 1: " + f + " is missing or does not match its manifest; that copy is passed over");
                    return null;
                }
            } catch (IOException ex) {
                return null;
            }
            paths.add(e.path());
        }
        paths.sort(Comparator.comparing((String p) -> p.endsWith(ShardIndex.FILE))); // data first, index last
        return paths;
    }

    private static List<String> shardFiles(int rank) {
        return List.of(ShardIndex.folder(rank) + "/" + ShardIndex.DATA, ShardIndex.folder(rank) + "/" + ShardIndex.FILE);
    }

    private void allReduce(double[] a, ReduceOp op) {
        if (group.size() == 1) return;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = arena.allocate(8L * a.length);
            MemorySegment.copy(a, 0, s, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, a.length);
            group.allReduce(Span.doubles(s), op);
            MemorySegment.copy(s, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, a, 0, a.length);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
