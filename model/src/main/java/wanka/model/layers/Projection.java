package wanka.model.layers;

import wanka.tensor.Tensor;

/**
 * A linear map of the last axis inside a block (TeleChat2's query, key_value, dense, gate_proj, up_proj,
 * down_proj). The plain one is {@link Linear}; wrappers (LoRA adapters) add to it without touching its weights, so
 * they are applied to a built model through {@link wanka.model.TeleChat2#mapProjections}.
 */
public interface Projection {

    /** y = f(x) over the last axis. */
    Tensor forward(Tensor x);

    /** The wrapped base weights, whose names and values the checkpoint keeps. */
    Linear base();
}
