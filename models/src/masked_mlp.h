#pragma once
// Private to models/. The backbone MLP of eqs. (1)-(2), (7)-(8): hidden layers whose
// activations are multiplied by the policy's masks; the output layer a_L is never masked.

#include <functional>
#include <memory>
#include <vector>

#include "activation.h"
#include "hidden_norm.h"
#include "mask_policy.h"

#include "comet/models/network.h"

namespace comet::models {

class MaskedMlp : public torch::nn::Module {
 public:
  // dims: input_dim, hidden widths..., output_dim. W_l, b_l ~ U(-1/sqrt(N_{l-1}), 1/sqrt(N_{l-1}))
  // (PyTorch's nn.Linear default, which the paper states) drawn from `generator`.
  MaskedMlp(const std::vector<std::int64_t>& dims, Activation activation,
            std::shared_ptr<MaskPolicy> policy, at::Generator& generator,
            const std::string& norm = "none");

  // trace, when given, receives per hidden layer the mask m_l (all ones where the policy gives
  // none) and the masked activation x_l of eq. (8): what the analyses of section 4.1 look at.
  struct Trace {
    std::vector<torch::Tensor> masks;
    std::vector<torch::Tensor> activations;
  };
  // masks, when given, replace the policy's (one per hidden layer, as Network::input_masks
  // gives them); the policy is then not consulted.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& example_ids,
                        Trace* trace = nullptr, const std::vector<torch::Tensor>* masks = nullptr);

  // One SGD step without autograd: forward (masks as in forward()), dL/da_L from
  // output_gradient(a_L), then a hand-written backward pass in which each layer's update is one
  // in-place GEMM: W <- (1 - lr wd) W - lr dL/dW, or with momentum buf <- momentum buf + dL/dW
  // (+ wd W), W <- W - lr buf (torch.optim.SGD's update, SgdUpdate). Only for backbones without
  // norm layers (has_plain_layers()). Returns a_L.
  torch::Tensor sgd_step(const torch::Tensor& x, const torch::Tensor& example_ids,
                         const std::vector<torch::Tensor>* masks,
                         const std::function<torch::Tensor(const torch::Tensor&)>& output_gradient,
                         const SgdUpdate& update);
  bool has_plain_layers() const;

  const std::vector<torch::nn::Linear>& layers() const { return layers_; }
  MaskPolicy& policy() { return *policy_; }
  const MaskPolicy& policy() const { return *policy_; }

 private:
  std::vector<torch::nn::Linear> layers_;
  std::vector<torch::nn::AnyModule> norms_;  // one per hidden layer, empty for norm: none
  Activation activation_;
  std::shared_ptr<MaskPolicy> policy_;
};

}  // namespace comet::models
