package wanka.train.parallel;

import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rank's parameters and gradients, each in one flat array, laid out in the order backward finishes them
 * and cut into buckets: the plan the data-parallel reduction replays every step (F3; Megatron-LM's
 * {@code ParamAndGradBuffer}). Every parameter tensor, and its gradient, is a view into the flat arrays, so
 * the autograd engine accumulates straight into the buckets and the optimizer updates them in place.
 *
 * <p>A bucket closes at the first parameter boundary after {@code bucketElements} elements; under ZeRO-1 each
 * bucket is padded to a multiple of the data-parallel size so that it reduce-scatters into equal shards.
 * The layout depends only on the model, the layout and the bucket size, so it is the same on every rank of a
 * data-parallel group, as the collectives need.
 */
final class FlatParams {
    /** One parameter: its HF name, full shape, split, readiness group, and where its part lives in the flat arrays. */
    record Slot(String name, int[] fullShape, Split split, int group, int offset, int numel, Tensor param) {
    }

    /** Elements [start, start + length) of the flat arrays, reduced as one; complete when all {@code groups} are. */
    record Bucket(int start, int length, int[] groups) {
    }

    /** What to place: a parameter of the full model, its split, and the group whose backward completes its gradient. */
    record Spec(String name, Tensor full, int group) {
    }

    final float[] params;
    final float[] grads;
    final List<Slot> slots;
    final List<Bucket> buckets;
    private final Map<String, Slot> byName = new LinkedHashMap<>();

    private FlatParams(float[] params, float[] grads, List<Slot> slots, List<Bucket> buckets) {
        this.params = params;
        this.grads = grads;
        this.slots = slots;
        this.buckets = buckets;
        for (Slot s : slots) byName.put(s.name(), s);
    }

    Tensor param(String name) {
        Slot s = byName.get(name);
        if (s == null) throw new IllegalArgumentException("no parameter '" + name + "' on this rank");
        return s.param();
    }

    /**
     * Lays out {@code specs} (in the order their gradients complete) for tensor-parallel rank {@code tpRank} of
     * {@code tp}, with buckets of about {@code bucketElements} padded to multiples of {@code pad}.
     */
    static FlatParams build(List<Spec> specs, int tpRank, int tp, long bucketElements, int pad, CpuDevice device) {
        record Placed(Spec spec, Split split, int[] part, int offset, int numel) {
        }
        List<Placed> placed = new ArrayList<>();
        List<int[]> bucketRanges = new ArrayList<>(); // start, end, first spec index, end spec index
        long offset = 0, bucketStart = 0;
        int firstSpec = 0;
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            Split split = Split.of(s.name());
            int[] part = split.partShape(s.full().shape().dims(), tp);
            int numel = 1;
            for (int d : part) numel *= d;
            placed.add(new Placed(s, split, part, Math.toIntExact(offset), numel));
            offset += numel;
            if (offset - bucketStart >= bucketElements || i == specs.size() - 1) {
                long len = offset - bucketStart;
                long padded = (len + pad - 1) / pad * pad;
                bucketRanges.add(new int[]{(int) bucketStart, (int) padded, firstSpec, i + 1});
                offset = bucketStart + padded;
                bucketStart = offset;
                firstSpec = i + 1;
            }
        }
        int total = Math.toIntExact(offset);
        float[] params = new float[total], grads = new float[total];
        Tensor pFlat = Tensor.wrap(device, params, total, 1);
        Tensor gFlat = Tensor.wrap(device, grads, total, 1);
        List<Slot> slots = new ArrayList<>();
        for (Placed p : placed) {
            p.split().slice(p.spec().full().toArray(), p.spec().full().shape().dims(), tpRank, tp, params, p.offset());
            Tensor view = pFlat.rowsView(p.offset(), p.offset() + p.numel()).reshapeView(p.part()).named(p.spec().name());
            view.requiresGrad(true);
            view.setGrad(gFlat.rowsView(p.offset(), p.offset() + p.numel()).reshapeView(p.part()));
            slots.add(new Slot(p.spec().name(), p.spec().full().shape().dims(), p.split(), p.spec().group(), p.offset(), p.numel(), view));
        }
        List<Bucket> buckets = new ArrayList<>();
        for (int[] r : bucketRanges) {
            int[] groups = specs.subList(r[2], r[3]).stream().mapToInt(Spec::group).distinct().toArray();
            buckets.add(new Bucket(r[0], r[1], groups));
        }
        return new FlatParams(params, grads, List.copyOf(slots), List.copyOf(buckets));
    }
}
