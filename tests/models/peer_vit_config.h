#pragma once
// The configuration of ../shared/bench/peer_vit.py's defaults on Fashion-MNIST's 1x28x28: the
// small ViT (or Mixer) that issue 15's acceptance and the timing harness use.

#include <string>

#include "comet/models/network.h"

namespace comet::testing {

inline models::NetworkConfig peer_vit_config(const std::string& arch, const std::string& model,
                                             double p_k) {
  models::NetworkConfig c;
  c.arch = arch;
  c.model = model;
  c.image_shape = {1, 28, 28};
  c.input_dim = 784;
  c.output_dim = 10;
  c.dim = 64;
  c.depth = 2;
  c.heads = 4;
  c.dim_head = 16;
  c.width = 128;
  c.patch = 4;
  c.p_k = p_k;
  c.activation = "tanh";
  return c;
}

}  // namespace comet::testing
