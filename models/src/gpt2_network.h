#pragma once
// Private to models/ (and its tests). make_network for arch gpt2: the configuration's checks,
// the closed-form parameter count, and the Network over a Gpt2Model.

#include <memory>
#include <string>

#include "comet/models/network.h"

namespace comet::models {

// Throws ModelError for anything make_gpt2_network cannot build.
void check_gpt2_config(const NetworkConfig& config);

// Trainable parameters of the gpt2 config without building it (HF's count: wte, wpe, per block
// two LayerNorms, c_attn, c_proj, c_fc, the MLP's c_proj, all with biases, and ln_f; the output
// layer is wte). `smaller` counts MLPs floor(p_k width) wide; routing matrices are buffers.
std::int64_t gpt2_parameter_count(const NetworkConfig& config);

std::unique_ptr<Network> make_gpt2_network(const NetworkConfig& config, const std::string& device);

}  // namespace comet::models
