#pragma once
// The model family: one masked-MLP backbone with a pluggable masking policy. This header is
// torch-free (at::Tensor is only declared) so that cli/ and others never parse torch.

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace at {
class Tensor;
}
namespace torch::serialize {
class InputArchive;
class OutputArchive;
}  // namespace torch::serialize

namespace comet::models {

// A model name, activation or shape the model layer cannot build (CLI exit code 2).
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NetworkConfig {
  std::string model = "comet";  // one of model_names(); docs/models.md defines each
  std::int64_t input_dim = 0;
  std::int64_t output_dim = 0;
  std::int64_t width = 0;  // units per hidden layer (vit, mixer: see below)
  std::int64_t depth = 4;  // linear layers, the output layer included
  double p_k = 1.0;        // fraction of hidden units kept by the cap
  std::string activation = "softplus";
  std::string norm = "none";  // none | batch | layer, on each hidden pre-activation
  std::uint64_t seed = 0;     // the trial seed; init and mask streams are derived from it

  // Options of single models (ignored by the others).
  std::string moe_gate = "scaled";         // moe, moe_fixed: scaled | hard_unscaled
  std::string topk_on = "pre_activation";  // topk: pre_activation | post_activation
  double mask_p = -1;                      // bernoulli (default p_k), example_tied (default 0.2)
  double l1_lambda = 1e-5;                 // l1
  // arch mlp, model comet: one width per hidden layer (depth - 1 of them, Fig. 3's N_l drawn per
  // layer); empty: `width` for every hidden layer.
  std::vector<std::int64_t> hidden_widths;

  // Architecture: mlp (the MaskedMlp family above) | vit | mixer (docs/models.md).
  std::string arch = "mlp";
  // vit, mixer: the input image's {channels, height, width}; input_dim == C*H*W. forward() takes
  // x as float [batch, C*H*W] (channel-major rows, as the datasets layer stores images) or
  // [batch, C, H, W].
  std::vector<std::int64_t> image_shape;
  std::int64_t dim = 512;        // token embedding dimension (lucidrains `dim`)
  std::int64_t heads = 8;        // vit: attention heads
  std::int64_t dim_head = 64;    // vit: dimension per head
  std::int64_t patch = 4;        // square patch side; must divide H and W
  std::int64_t token_width = 0;  // mixer: token-mixing MLP hidden units; 0 means 4 * patches
  double dropout = 0.1;          // vit, mixer: dropout inside attention output and the MLPs
  double emb_dropout = 0.1;      // vit: dropout after the patch + position embedding

  // arch gpt2 (HF GPT2LMHeadModel semantics, docs/models.md): dim is n_embd, depth n_layer,
  // heads n_head, width the MLP's hidden units (4 * dim in GPT-2), dropout the residual,
  // attention and embedding dropout (HF's resid_pdrop, attn_pdrop, embd_pdrop), activation the
  // MLP's (tanh in the paper). input_dim == block_size; output_dim == vocab.
  std::int64_t block_size = 1024;  // positions (n_positions); token blocks are at most this long
  std::int64_t vocab = 50257;      // token ids are in [0, vocab); the output layer is tied to wte
};

// Units kept per hidden layer: floor(p_k * width), with 1e-9 absorbing the binary rounding of a
// decimal p_k (0.29 * 100 is 28.999999999999996 in double and must keep 29 units).
std::int64_t kept_units(double p_k, std::int64_t width);

// torch.optim.SGD's update without dampening or Nesterov: d = g + wd p; with momentum,
// buf = d on the first step and buf = momentum buf + d after it, then d = buf; p <- p - lr d.
struct SgdUpdate {
  double lr = 0;
  double weight_decay = 0;
  double momentum = 0;
  // momentum != 0: one buffer per trainable parameter, in trainable_parameters()' order;
  // undefined ones (the first step) are created, all are updated in place.
  std::vector<at::Tensor>* momentum_buffers = nullptr;
};

class Network {
 public:
  virtual ~Network() = default;
  // x: float [batch, input_dim] on the network's device; example_ids: int64 [batch], the
  // dataset's stable ids (per-example policies use them). Returns the unmasked output a_L.
  virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& example_ids) = 0;
  // The same with the hidden layers' masks given (as input_masks returns them) instead of
  // computed; masks == nullptr is forward(x, example_ids).
  virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& example_ids,
                             const std::vector<at::Tensor>* masks) = 0;

  // True when every mask depends on nothing but the example's input (comet: the routing network
  // is fixed, eqs. 4-6), so a trainer may compute each example's masks once (input_masks: bool
  // [batch, width] per hidden layer) and pass them back every step instead of routing again.
  virtual bool masks_depend_only_on_input() const = 0;
  virtual std::vector<at::Tensor> input_masks(const at::Tensor& x) = 0;

  // SGD without autograd (MaskedMlp::sgd_step): forward, output_gradient(a_L) = dL/da_L, a
  // hand-written backward pass with the update folded into each layer's weight-gradient GEMM
  // (into the momentum buffer's, with momentum). Available for backbones without norm layers or
  // penalty; returns a_L (no graph).
  using OutputGradient = std::function<at::Tensor(const at::Tensor&)>;
  virtual bool has_fused_sgd_step() const = 0;
  virtual at::Tensor sgd_step(const at::Tensor& x, const at::Tensor& example_ids,
                              const std::vector<at::Tensor>* masks,
                              const OutputGradient& output_gradient, const SgdUpdate& update) = 0;

  // Language models (arch gpt2): tokens int64 [batch, T] with T <= block_size. Returns the mean
  // next-token cross-entropy over the batch's batch * (T - 1) predictions (position t predicts
  // token t + 1 of the same block: HF's shift of labels inside the model), a float scalar with
  // autograd in training mode; forward(tokens, ids) gives the logits [batch, T, vocab]. The
  // default throws ModelError (networks that are not language models).
  virtual at::Tensor next_token_loss(const at::Tensor& tokens);

  // The model's own term of the training loss (l1's lambda * sum |W|), a scalar tensor on the
  // network's device; undefined for models without one.
  virtual at::Tensor penalty() = 0;
  virtual std::vector<at::Tensor> trainable_parameters() = 0;
  virtual std::int64_t trainable_parameter_count() = 0;
  virtual void set_training(bool training) = 0;
  virtual const NetworkConfig& config() const = 0;
  // Every parameter and buffer (norm running statistics, routing matrices), for checkpoints.
  // load() expects an archive saved by a network of the same config; it throws c10::Error
  // when a tensor is missing (torch adopts a stored tensor's shape without checking it).
  virtual void save(torch::serialize::OutputArchive& archive) const = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;
};

// Builds the network on `device` ("cpu", "cuda:0"). Weights are drawn on the CPU from streams
// derived from config.seed, then moved, so a seed gives the same initial weights on any device.
std::unique_ptr<Network> make_network(const NetworkConfig& config, const std::string& device);

// The hidden layers of a backbone model (every model but moe and moe_fixed) for a batch x:
// per hidden layer l, masks[l] is m_l ({0,1} for comet and the per-example policies; all ones
// where the policy gives none) and activations[l] is the masked activation x_l = m_l * f(a_l)
// of eq. (8), each [batch, width]. Runs under no-grad in the network's current mode (call
// set_training(false) for evaluation masks). Throws ModelError for the MoE models.
void trace_hidden(Network& network, const at::Tensor& x, const at::Tensor& example_ids,
                  std::vector<at::Tensor>& masks, std::vector<at::Tensor>& activations);

// Names accepted by make_network, for help texts and errors.
const std::vector<std::string>& model_names();
const std::vector<std::string>& activation_names();
const std::vector<std::string>& norm_names();

}  // namespace comet::models
