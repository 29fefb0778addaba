#pragma once
// Private to models/. The `moe` and `moe_fixed` baselines (section 4.2.1): floor(1/p_k)
// experts, each a full MLP of width floor(p_k N), and a router MLP with one hidden layer whose
// top-1 choice picks the expert of each example. The experts are not masks over one backbone
// (each has its own weights end to end), so this is the one model outside MaskedMlp; it reuses
// the backbone's activation, norm and initialisation.

#include <cstdint>
#include <vector>

#include "activation.h"
#include "hidden_norm.h"

namespace comet::models {

struct MixtureShape {
  std::int64_t input_dim = 0;
  std::int64_t output_dim = 0;
  std::int64_t experts = 1;       // floor(1 / p_k)
  std::int64_t expert_width = 1;  // floor(p_k N), every hidden layer of every expert
  std::int64_t depth = 2;         // linear layers per expert, the output layer included
  std::int64_t router_width = 1;  // the router's hidden layer: expert_width (the paper is silent)
};

class MixtureOfExperts : public torch::nn::Module {
 public:
  // trainable_router false: `moe_fixed`. scaled_gate false: the authors' code (argmax, the
  // expert's output not multiplied by its gate, so no gradient ever reaches the router).
  MixtureOfExperts(const MixtureShape& shape, Activation activation, const std::string& norm,
                   bool trainable_router, bool scaled_gate, at::Generator& expert_generator,
                   at::Generator& router_generator);

  torch::Tensor forward(const torch::Tensor& x);

  // All experts' outputs [experts, batch, output_dim] and the gate [batch, experts]; forward
  // selects from them. Exposed for tests.
  torch::Tensor expert_outputs(const torch::Tensor& x);
  torch::Tensor gate(const torch::Tensor& x);

  const MixtureShape& shape() const { return shape_; }
  const std::vector<torch::Tensor>& expert_weights() const { return weights_; }  // [E, out, in]
  const std::vector<torch::Tensor>& expert_biases() const { return biases_; }    // [E, 1, out]
  torch::nn::Linear router_hidden() const { return router_hidden_; }
  torch::nn::Linear router_out() const { return router_out_; }

 private:
  torch::Tensor normalise(std::size_t layer, const torch::Tensor& a);

  MixtureShape shape_;
  Activation activation_;
  bool scaled_gate_;
  std::string norm_;
  std::vector<torch::Tensor> weights_, biases_;
  std::vector<torch::nn::AnyModule> batch_norms_;           // norm: batch, over E * width units
  std::vector<torch::Tensor> layer_scales_, layer_shifts_;  // norm: layer, [E, 1, width]
  torch::nn::Linear router_hidden_{nullptr}, router_out_{nullptr};
};

}  // namespace comet::models
