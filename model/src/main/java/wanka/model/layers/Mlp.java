package wanka.model.layers;

import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

import java.util.LinkedHashMap;
import java.util.Map;

/** SwiGLU feed-forward: down(silu(gate(x)) · up(x)) + down bias. */
public record Mlp(Projection gate, Projection up, Projection down) {

    public Tensor forward(Tensor x) {
        return down.forward(activation(x));
    }

    /** silu(gate(x)) · up(x), the input of {@code down}: what selective recomputation of the MLP recomputes. */
    public Tensor activation(Tensor x) {
        return Ops.swiglu(gate.forward(x), up.forward(x));
    }

    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("gate_proj.weight", gate.base().weight());
        m.put("up_proj.weight", up.base().weight());
        m.put("down_proj.weight", down.base().weight());
        m.put("down_proj.bias", down.base().bias());
        return m;
    }

    /** This MLP with each projection replaced by {@code f(name, projection)}; names are {@code gate_proj}, {@code up_proj}, {@code down_proj}. */
    public Mlp mapProjections(java.util.function.BiFunction<String, Projection, Projection> f) {
        return new Mlp(f.apply("gate_proj", gate), f.apply("up_proj", up), f.apply("down_proj", down));
    }
}
