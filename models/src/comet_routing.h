#pragma once
// Private to models/. COMET's fixed random routing network with the k-WTA cap, eqs. (4)-(6),
// and its `layerwise` variant, which feeds the routing matrices the backbone's activations.

#include <vector>

#include "mask_policy.h"

namespace comet::models {

class CometRouting : public MaskPolicy {
 public:
  enum class Source {
    routing_network,  // c_l = V_l z_{l-1}, z_0 = x_0: COMET, masks depend on the input only
    backbone,         // c_l = V_l x_{l-1}: layer-wise routing, masks move as the backbone trains
  };

  // dims: input_dim, then the width of every hidden layer. V_l ~ U(-1/sqrt(N_{l-1}),
  // 1/sqrt(N_{l-1})) as the backbone's init (section 3), drawn from `generator`, no bias.
  CometRouting(const std::vector<std::int64_t>& dims, double p_k, at::Generator& generator,
               Source source = Source::routing_network);

  void begin(const torch::Tensor& input, const torch::Tensor& example_ids) override;
  torch::Tensor mask(std::int64_t layer, const torch::Tensor& layer_input,
                     const torch::Tensor& pre_activation, const torch::Tensor& activation) override;

  // Source::routing_network only: every hidden layer's mask m_l for inputs x_0 at once, as bool
  // [batch, N_l]. They depend on x_0 alone (eqs. 4-6), so a trainer may compute them once per
  // example and pass them to MaskedMlp::forward instead of routing every step.
  std::vector<torch::Tensor> input_masks(const torch::Tensor& input) const;
  bool masks_depend_only_on_input() const { return source_ == Source::routing_network; }

  const torch::Tensor& routing_weight(std::size_t layer) const { return weights_.at(layer); }
  std::int64_t kept(std::size_t layer) const { return kept_.at(layer); }  // k_l

 private:
  std::vector<torch::Tensor> weights_;  // V_l, [N_l, N_{l-1}], buffers: never trained
  std::vector<std::int64_t> kept_;      // k_l
  Source source_;
  torch::Tensor z_;  // z_{l-1} of the current forward pass
};

}  // namespace comet::models
