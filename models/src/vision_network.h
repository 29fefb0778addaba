#pragma once
// Private to models/. make_network for arch vit and mixer: the configuration's checks, one
// masking policy per block MLP, and the Network over a VisionTransformer or an MlpMixer.

#include <memory>
#include <string>

#include "comet/models/network.h"

namespace comet::models {

// The models defined per token (a mask per row of [tokens, hidden]).
const std::vector<std::string>& per_token_model_names();
// Throws ModelError unless config.model is one of them (naming config.arch and what it allows).
void check_per_token_model(const NetworkConfig& config);

// The token-mixing MLP's hidden units of a mixer config: token_width, or 4 * patches.
std::int64_t mixer_token_width(const NetworkConfig& config);

// Throws ModelError for anything make_vision_network cannot build.
void check_vision_config(const NetworkConfig& config);

std::unique_ptr<Network> make_vision_network(const NetworkConfig& config,
                                             const std::string& device);

}  // namespace comet::models
