package wanka.model.layers;

import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

import java.util.LinkedHashMap;
import java.util.Map;

/** SwiGLU feed-forward: down(silu(gate(x)) · up(x)) + down bias. */
public record Mlp(Linear gate, Linear up, Linear down) {

    public Tensor forward(Tensor x) {
        return down.forward(Ops.swiglu(gate.forward(x), up.forward(x)));
    }

    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("gate_proj.weight", gate.weight());
        m.put("up_proj.weight", up.weight());
        m.put("down_proj.weight", down.weight());
        m.put("down_proj.bias", down.bias());
        return m;
    }
}
