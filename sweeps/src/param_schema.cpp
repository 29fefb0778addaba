// The table of sweep keys. To add a key, add one entry here; the parser, the checks and
// `comet run --help` pick it up from this table (and list it in docs/commands/run.md).

#include "comet/sweeps/param_schema.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "edit_distance.h"
#include "model_presets.h"

namespace comet::sweeps {
namespace {

// Numeric bounds; every field has a default so a table entry names only the bounds it has.
struct Bounds {
  std::optional<double> min{};
  std::optional<double> max{};
  bool min_exclusive = false;
  bool max_exclusive = false;
};

ParamDef numeric_key(std::string name, ParamType type, Bounds bounds,
                     std::optional<ParamValue> default_value, std::string help) {
  ParamDef def;
  def.name = std::move(name);
  def.type = type;
  def.default_value = std::move(default_value);
  def.min = bounds.min;
  def.max = bounds.max;
  def.min_exclusive = bounds.min_exclusive;
  def.max_exclusive = bounds.max_exclusive;
  def.help = std::move(help);
  return def;
}

ParamDef integer_key(std::string name, Bounds bounds, std::optional<std::int64_t> default_value,
                     std::string help) {
  std::optional<ParamValue> stored;
  if (default_value) stored = *default_value;
  return numeric_key(std::move(name), ParamType::integer, bounds, stored, std::move(help));
}

ParamDef real_key(std::string name, Bounds bounds, std::optional<double> default_value,
                  std::string help) {
  std::optional<ParamValue> stored;
  if (default_value) stored = *default_value;
  return numeric_key(std::move(name), ParamType::real, bounds, stored, std::move(help));
}

ParamDef choice_key(std::string name, std::vector<std::string> choices,
                    std::optional<std::string> default_value, std::string help) {
  ParamDef def;
  def.name = std::move(name);
  def.type = ParamType::choice;
  if (default_value) def.default_value = *default_value;
  def.choices = std::move(choices);
  def.help = std::move(help);
  return def;
}

ParamDef text_key(std::string name, std::optional<std::string> default_value, std::string help) {
  ParamDef def;
  def.name = std::move(name);
  def.type = ParamType::text;
  if (default_value) def.default_value = *default_value;
  def.help = std::move(help);
  return def;
}

// `def`, applying only to trials whose `key` has one of `values`.
ParamDef scoped(ParamDef def, std::string key, std::vector<std::string> values) {
  def.scope = ParamScope{.key = std::move(key), .values = std::move(values)};
  return def;
}

// `def`, whose default is the trial's value of `key`.
// The trials whose `key` is one of `values` do not use the key: they are given its default.
ParamDef ignored_when(ParamDef def, std::string key, std::vector<std::string> values) {
  def.ignored_when = ParamScope{.key = std::move(key), .values = std::move(values)};
  return def;
}

ParamDef defaulting_to(ParamDef def, std::string key) {
  def.default_from = std::move(key);
  return def;
}

// `def`, whose default is computed from the trial's other keys.
ParamDef derived(ParamDef def, std::optional<ParamValue> (*rule)(const TrialConfig&)) {
  def.derive_default = rule;
  return def;
}

// Every default here is part of the trial ids (trial_id leaves out keys at their default):
// never change one; add a new choice and keep the default (CONTRIBUTING.md, "Sweep keys").
std::vector<ParamDef> make_schema() {
  constexpr auto required = std::nullopt;
  return {
      choice_key("dataset",
                 {"fashion_mnist", "mnist", "cifar10", "cifar100", "svhn", "sarcos",
                  "tiny_imagenet", "csv", "synthetic_clusters", "python_stdlib", "wikitext2",
                  "wikitext103", "codeparrot", "text"},
                 required, "dataset to train and evaluate on; see docs/datasets.md"),
      choice_key("model",
                 {"comet", "standard", "smaller", "dropout", "topk", "moe", "moe_fixed",
                  "layerwise", "bernoulli", "example_tied", "l1"},
                 required, "one of the MLP family; see docs/models.md"),
      integer_key("epochs", {.min = 1}, required, "passes over the training set"),
      integer_key("batch_size", {.min = 1}, 32, "training examples per optimizer step"),
      choice_key("optimizer", {"sgd", "sgd_momentum", "adam", "adamw"}, "sgd",
                 "optimizer of the training loss"),
      real_key("lr", {.min = 0, .min_exclusive = true}, required, "learning rate"),
      real_key("weight_decay", {.min = 0}, 0.0, "weight decay coefficient of the optimizer"),
      choice_key("schedule", {"constant", "cosine", "warmup_cosine"}, "constant",
                 "learning-rate schedule over all training steps"),
      real_key("grad_clip", {.min = 0}, 0.0, "gradient clipping threshold; 0 turns clipping off"),
      // The trainer reads the mode only when it clips (grad_clip > 0).
      ignored_when(choice_key("grad_clip_mode", {"norm", "value"}, "norm",
                              "clip the global L2 norm of the gradients, or each gradient value"),
                   "grad_clip", {"0.0"}),
      choice_key("activation",
                 {"tanh", "relu", "softplus", "gelu", "silu", "mish", "elu", "selu", "leaky_relu",
                  "sigmoid", "gelu_new"},
                 "softplus",
                 "activation of the hidden layers (gelu_new: the tanh approximation of GELU, "
                 "GPT-2's)"),
      choice_key("arch", {"mlp", "vit", "mixer", "gpt2"}, "mlp",
                 "architecture: the paper's MLP, a ViT / MLP-Mixer, or a GPT-2 language model, "
                 "whose blocks' MLPs carry the model's masks per token; see docs/models.md"),
      // Not scoped to arch mlp, so that every stored config keeps it; a rule refuses it elsewhere.
      choice_key("norm", {"none", "batch", "layer"}, "none",
                 "arch mlp: normalisation of each hidden layer's pre-activation"),
      integer_key("depth", {.min = 2}, 4,
                  "mlp: linear layers, the output layer included; vit, mixer, gpt2: blocks"),
      derived(integer_key("width", {.min = 1}, required,
                          "mlp: hidden units per hidden layer; vit, gpt2: hidden units of each "
                          "block's MLP (gpt2 default: 4 x dim); mixer: hidden units of each "
                          "block's channel-mixing MLP"),
              derived_width),
      // standard and l1 build no mask and keep the full width (docs/models.md), on every arch.
      ignored_when(real_key("p_k", {.min = 0, .max = 1, .min_exclusive = true}, 1.0,
                            "fraction of hidden units kept per layer: k = floor(p_k * width)"),
                   "model", {"standard", "l1"}),
      choice_key("task", {"classification", "regression"}, "classification",
                 "classification: cross-entropy and accuracy; regression: mean squared error "
                 "(one-hot targets on a class dataset)"),
      integer_key("seed", {.min = 0}, 0, "random seed of the training run"),
      real_key("val_fraction", {.min = 0, .max = 1, .min_exclusive = true, .max_exclusive = true},
               0.2, "share of the training set held out for validation"),
      integer_key("split_seed", {.min = 0}, 0, "seed of the train/validation split"),
      integer_key("train_limit", {.min = 0}, 0,
                  "use only the first N examples of the training file (before the validation "
                  "split); 0: all of them"),
      integer_key("eval_batch_size", {.min = 1}, 1024, "examples per batch when evaluating"),
      choice_key("augment", {"none", "crop_flip"}, "none",
                 "training-image augmentation: crop_flip is a random crop from 4-pixel zero "
                 "padding plus a horizontal flip, drawn from (seed, epoch, example id)"),
      choice_key("eval_test", {"never", "final", "every_epoch"}, "never",
                 "evaluate the test split (test/loss, test/acc) after the last epoch, or after "
                 "every epoch"),
      // Architecture keys: only in the trials of the architectures they belong to.
      scoped(integer_key("dim", {.min = 1}, 512, "token embedding dimension (gpt2: n_embd)"),
             "arch", {"vit", "mixer", "gpt2"}),
      scoped(integer_key("patch", {.min = 1}, 4,
                         "side of the square image patches; must divide the image's sides"),
             "arch", {"vit", "mixer"}),
      scoped(real_key("dropout", {.min = 0, .max = 1, .max_exclusive = true}, 0.1,
                      "dropout rate inside the blocks (vit, mixer: attention output, MLP hidden "
                      "and output; gpt2: HF's resid, attn and embd dropout)"),
             "arch", {"vit", "mixer", "gpt2"}),
      scoped(integer_key("heads", {.min = 1}, 8, "attention heads"), "arch", {"vit", "gpt2"}),
      scoped(integer_key("dim_head", {.min = 1}, 64, "dimension of each attention head"), "arch",
             {"vit"}),
      scoped(real_key("emb_dropout", {.min = 0, .max = 1, .max_exclusive = true}, 0.1,
                      "dropout rate after the patch and position embedding"),
             "arch", {"vit"}),
      scoped(integer_key("token_width", {.min = 0}, 0,
                         "hidden units of each block's token-mixing MLP; 0: 4 x the patch count"),
             "arch", {"mixer"}),
      // GPT-2 (arch gpt2) and its step-based training (docs/models.md, docs/commands/run.md).
      scoped(choice_key("size", {"custom", "small", "medium", "large"}, "custom",
                        "GPT-2's named sizes: small (dim 768, depth 12, heads 12), medium (1024, "
                        "24, 16), large (1280, 36, 20); custom: the trial's dim, depth, heads"),
             "arch", {"gpt2"}),
      scoped(integer_key("block_size", {.min = 2}, 1024,
                         "tokens per block (GPT-2's n_positions); the corpus is cut into blocks "
                         "of this length"),
             "arch", {"gpt2"}),
      scoped(integer_key("vocab", {.min = 0}, 0,
                         "rows of the token embedding; 0: the tokenizer's vocabulary (50257 for "
                         "gpt2-bpe); larger pads it"),
             "arch", {"gpt2"}),
      scoped(integer_key("grad_accum", {.min = 1}, 1,
                         "micro-batches of batch_size blocks per optimizer step (gradient "
                         "accumulation)"),
             "arch", {"gpt2"}),
      scoped(integer_key("eval_every", {.min = 0}, 0,
                         "optimizer steps between evaluations (and checkpoints); 0: once per "
                         "epoch"),
             "arch", {"gpt2"}),
      scoped(integer_key("eval_blocks", {.min = 0}, 0,
                         "validation (and test) blocks evaluated each time, the first ones of "
                         "the split; 0: all"),
             "arch", {"gpt2"}),
      scoped(integer_key("max_steps", {.min = 0}, 0,
                         "stop after this many optimizer steps, if sooner than the epochs; 0: "
                         "epochs decide"),
             "arch", {"gpt2"}),
      scoped(real_key("max_hours", {.min = 0}, 0.0,
                      "stop at the first evaluation after this much training time (the paper: "
                      "3 epochs or 24 hours); 0: no limit"),
             "arch", {"gpt2"}),
      scoped(choice_key("precision", {"fp32", "fp16", "bf16"}, "fp32",
                        "CUDA: autocast to fp16 (with a dynamic loss scaler) or bf16; the CPU "
                        "trains in fp32 whatever is asked"),
             "arch", {"gpt2"}),
      // Scoped keys: only in the configs (and ids) of the trials they apply to.
      scoped(integer_key("warmup_steps", {.min = 0}, 0,
                         "linear warm-up steps before the cosine decay"),
             "schedule", {"warmup_cosine"}),
      scoped(choice_key("moe.gate", {"scaled", "hard_unscaled"}, "scaled",
                        "scaled: the chosen expert's output times its gate value, so the router "
                        "learns (the paper); hard_unscaled: argmax without scaling, as the "
                        "authors' code"),
             "model", {"moe", "moe_fixed"}),
      scoped(choice_key("topk.on", {"pre_activation", "post_activation"}, "pre_activation",
                        "the values the cap ranks: a_l as in the paper, or f(a_l) as in the "
                        "authors' code"),
             "model", {"topk"}),
      scoped(defaulting_to(
                 real_key("bernoulli.p", {.min = 0, .max = 1, .min_exclusive = true}, std::nullopt,
                          "keep probability of each example's fixed mask (the authors' code "
                          "used 0.5)"),
                 "p_k"),
             "model", {"bernoulli"}),
      scoped(real_key("example_tied.p", {.min = 0, .max = 1, .min_exclusive = true}, 0.2,
                      "keep probability of the per-example part of the mask"),
             "model", {"example_tied"}),
      scoped(real_key("l1.lambda", {.min = 0}, 1.0e-5, "weight of the L1 penalty lambda * sum |W|"),
             "model", {"l1"}),
      // Dataset options: passed to the dataset's reader without the "<dataset>." prefix.
      scoped(choice_key("cifar100.labels", {"fine", "coarse"}, "fine",
                        "CIFAR-100 labels: the 100 fine classes or the 20 coarse superclasses"),
             "dataset", {"cifar100"}),
      scoped(integer_key("sarcos.target", {.min = 1, .max = 7}, 1,
                         "the joint torque to predict (the paper: the first)"),
             "dataset", {"sarcos"}),
      scoped(text_key("csv.file", required,
                      "the training CSV: a path, absolute or relative to the data root's csv/"),
             "dataset", {"csv"}),
      scoped(text_key("csv.target", required, "the name of the target column in the header"),
             "dataset", {"csv"}),
      scoped(text_key("csv.test_file", "", "a test CSV with the same columns; '' for none"),
             "dataset", {"csv"}),
      // Text corpora (arch gpt2; docs/datasets.md, "Text corpora").
      scoped(text_key("text.file", required,
                      "the training text: a UTF-8 file, or JSON lines with text.field; a path, "
                      "absolute or relative to the data root's text/"),
             "dataset", {"text"}),
      scoped(text_key("text.field", "",
                      "JSON lines: the field holding each document's text; '' for a plain file"),
             "dataset", {"text"}),
      scoped(text_key("text.val_file", "",
                      "a validation text in the same form; '' holds out val_fraction of the "
                      "training file's documents"),
             "dataset", {"text"}),
      scoped(integer_key("synthetic_clusters.dims", {.min = 1}, 10, "features per example"),
             "dataset", {"synthetic_clusters"}),
      scoped(integer_key("synthetic_clusters.classes", {.min = 2}, 2, "clusters, one per class"),
             "dataset", {"synthetic_clusters"}),
      scoped(real_key("synthetic_clusters.separation", {.min = 0}, 3.0,
                      "spread of the cluster centres relative to the unit noise"),
             "dataset", {"synthetic_clusters"}),
      scoped(integer_key("synthetic_clusters.count", {.min = 2}, 1000,
                         "training examples (plus a quarter as many test examples)"),
             "dataset", {"synthetic_clusters"}),
      scoped(integer_key("synthetic_clusters.seed", {.min = 0}, 0, "seed of the generated data"),
             "dataset", {"synthetic_clusters"}),
  };
}

}  // namespace

const std::vector<ParamDef>& param_schema() {
  static const std::vector<ParamDef> schema = make_schema();
  return schema;
}

const ParamDef* find_param(std::string_view name) {
  for (const ParamDef& def : param_schema()) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

std::string closest_param(std::string_view name) {
  std::vector<std::string_view> names;
  for (const ParamDef& def : param_schema()) names.push_back(def.name);
  return closest_name(name, names);
}

}  // namespace comet::sweeps
