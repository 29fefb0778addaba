#include "comet/engine/trainer.h"

#include <chrono>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>

#include "checkpoint.h"
#include "gradient_clipping.h"
#include "language_training.h"
#include "lr_schedule.h"
#include "optimizer_factory.h"
#include "trial_session.h"

#include "comet/datasets/augmentation.h"
#include "comet/datasets/dataset.h"
#include "comet/models/network.h"
#include "comet/models/seed_stream.h"

namespace comet::engine {

namespace {

datasets::DatasetRequest dataset_request(const sweeps::TrialConfig& c, const TrainerOptions& o) {
  datasets::DatasetRequest request{c.text("dataset"),
                                   o.data_root,
                                   c.real("val_fraction"),
                                   static_cast<std::uint64_t>(c.integer("split_seed")),
                                   o.device,
                                   {},
                                   c.integer("train_limit")};
  // The dataset's scoped keys (`cifar100.labels`, `csv.target`, ...) become its options.
  const std::string prefix = request.name + ".";
  for (const auto& [key, value] : c.values()) {
    if (key.rfind(prefix, 0) == 0)
      request.options[key.substr(prefix.size())] = sweeps::to_display(value);
  }
  // A CSV's target column is read as classes or as numbers according to the trial's task.
  if (request.name == "csv") request.options["task"] = c.text("task");
  // A language model's corpus is cut into blocks of the model's length.
  if (c.has("block_size")) request.options["block_size"] = std::to_string(c.integer("block_size"));
  return request;
}

// The data term of the loss. regression: mean squared error against the dataset's real targets,
// or against one-hot targets on a class dataset (int64 labels).
torch::Tensor data_loss(const torch::Tensor& out, const torch::Tensor& y, bool regression,
                        torch::Reduction::Reduction reduction = torch::Reduction::Mean) {
  namespace F = torch::nn::functional;
  if (regression) {
    auto target = y.is_floating_point() ? y : F::one_hot(y, out.size(1)).to(out.scalar_type());
    // Mean over examples and outputs, as torch.nn.MSELoss; the sum form adds up the per-example
    // means so that loss_sum / n is the same mean.
    auto per_example = (out - target).pow(2).mean(1);
    return reduction == torch::Reduction::Sum ? per_example.sum() : per_example.mean();
  }
  if (reduction == torch::Reduction::Sum) {
    return F::cross_entropy(out, y, F::CrossEntropyFuncOptions().reduction(torch::kSum));
  }
  return F::cross_entropy(out, y);
}

models::NetworkConfig network_config(const sweeps::TrialConfig& c,
                                     const datasets::DatasetInfo& info) {
  models::NetworkConfig nc;
  nc.model = c.text("model");
  nc.input_dim = info.input_dim;
  nc.output_dim = info.output_dim;
  nc.width = c.integer("width");
  nc.depth = c.integer("depth");
  nc.p_k = c.real("p_k");
  nc.activation = c.text("activation");
  nc.norm = c.text("norm");
  nc.seed = static_cast<std::uint64_t>(c.integer("seed"));
  // Scoped keys are present exactly for the models they belong to (sweeps' expand_trials).
  if (c.has("moe.gate")) nc.moe_gate = c.text("moe.gate");
  if (c.has("topk.on")) nc.topk_on = c.text("topk.on");
  if (c.has("bernoulli.p")) nc.mask_p = c.real("bernoulli.p");
  if (c.has("example_tied.p")) nc.mask_p = c.real("example_tied.p");
  if (c.has("l1.lambda")) nc.l1_lambda = c.real("l1.lambda");
  // Architecture keys are present exactly for the archs they belong to, likewise.
  nc.arch = c.text("arch");
  if (nc.arch != "mlp") nc.image_shape = info.image_shape;
  if (c.has("dim")) nc.dim = c.integer("dim");
  if (c.has("patch")) nc.patch = c.integer("patch");
  if (c.has("dropout")) nc.dropout = c.real("dropout");
  if (c.has("heads")) nc.heads = c.integer("heads");
  if (c.has("dim_head")) nc.dim_head = c.integer("dim_head");
  if (c.has("emb_dropout")) nc.emb_dropout = c.real("emb_dropout");
  if (c.has("token_width")) nc.token_width = c.integer("token_width");
  if (nc.arch == "gpt2") {
    nc.block_size = c.integer("block_size");
    // vocab 0: the tokenizer's; a larger one pads the embedding (rows no token uses).
    nc.vocab = c.integer("vocab") > 0 ? c.integer("vocab") : info.vocab_size;
    nc.input_dim = nc.block_size;
    nc.output_dim = nc.vocab;
  }
  return nc;
}

// Each example's masks, for networks whose masks depend on the input only: per hidden layer
// bool [split size, width], rows in the split's order. Computed in chunks of a fixed size, so
// the masks do not depend on the batch size that later reads them.
std::vector<torch::Tensor> split_masks(models::Network& net, const datasets::Dataset& data,
                                       const datasets::Split& split) {
  constexpr std::int64_t kChunk = 1024;
  torch::NoGradGuard no_grad;  // not inference mode: training saves these masks for backward
  std::vector<std::vector<torch::Tensor>> chunks;
  for (std::int64_t start = 0; start < split.size(); start += kChunk) {
    const auto len = std::min(kChunk, split.size() - start);
    chunks.push_back(net.input_masks(data.prepare(split.features().narrow(0, start, len))));
  }
  std::vector<torch::Tensor> layers;
  if (chunks.empty()) return layers;
  for (std::size_t l = 0; l < chunks.front().size(); ++l) {
    std::vector<torch::Tensor> parts;
    for (auto& c : chunks) parts.push_back(std::move(c[l]));
    layers.push_back(torch::cat(parts));
  }
  return layers;
}

std::vector<torch::Tensor> rows_of(const std::vector<torch::Tensor>& masks,
                                   const torch::Tensor& rows) {
  std::vector<torch::Tensor> out;
  out.reserve(masks.size());
  for (const auto& m : masks) out.push_back(m.index_select(0, rows));
  return out;
}

// "trial 0123456789abcdef (model comet, width 100, seed 0)": how errors about a trial name it;
// the arch follows the model when it is not mlp.
std::string trial_label(const sweeps::TrialSpec& t) {
  const auto& arch = t.config.text("arch");
  return "trial " + t.id + " (model " + t.config.text("model") +
         (arch == "mlp" ? "" : ", arch " + arch) + ", width " +
         std::to_string(t.config.integer("width")) + ", seed " +
         std::to_string(t.config.integer("seed")) + ")";
}

// What only the loaded data can tell: an image architecture or augmentation on tabular data, a
// patch that does not tile the images, a test split asked for that the dataset does not have.
void check_data_fits_trial(const sweeps::TrialSpec& t, const datasets::Dataset& data) {
  const auto& c = t.config;
  const auto& info = data.info();
  const auto& shape = info.image_shape;
  auto fail = [&](const std::string& what) {
    throw datasets::DatasetError(trial_label(t) + ": " + what);
  };
  const bool corpus = info.task == datasets::Task::language_modeling;
  if (corpus != (c.text("arch") == "gpt2")) {
    fail(corpus
             ? "dataset " + info.name +
                   " is a text corpus, which only arch gpt2 reads; allowed: arch gpt2"
             : "arch gpt2 needs a text corpus, and dataset " + info.name +
                   " is not one; allowed: wikitext2, wikitext103, codeparrot, python_stdlib, text");
  }
  if (corpus) {
    if (c.integer("vocab") > 0 && c.integer("vocab") < info.vocab_size) {
      fail("vocab " + std::to_string(c.integer("vocab")) + " is smaller than the " +
           std::to_string(info.vocab_size) + " ids of tokenizer " + info.tokenizer +
           "; allowed: vocab 0 (the tokenizer's) or >= " + std::to_string(info.vocab_size));
    }
    if (c.text("augment") != "none") {
      fail("augment " + c.text("augment") + " applies to images; allowed: augment none");
    }
  } else if (shape.empty()) {
    if (c.text("arch") != "mlp") {
      fail("arch " + c.text("arch") + " needs images, and dataset " + info.name +
           " has feature vectors; allowed: arch mlp");
    }
    if (c.text("augment") != "none") {
      fail("augment " + c.text("augment") + " needs images, and dataset " + info.name +
           " has feature vectors; allowed: augment none");
    }
  } else if (c.has("patch")) {
    const auto patch = c.integer("patch");
    if (shape[1] % patch != 0 || shape[2] % patch != 0) {
      fail("patch " + std::to_string(patch) + " does not tile the " + std::to_string(shape[1]) +
           "x" + std::to_string(shape[2]) + " images of " + info.name +
           "; allowed: a patch side that divides both");
    }
  }
  if (c.text("eval_test") != "never" && data.test().size() == 0) {
    fail("eval_test " + c.text("eval_test") + ", but dataset " + info.name +
         " has no test split; allowed: eval_test never");
  }
}

struct PassTotals {
  double loss = 0;  // mean over examples
  double acc = 0;
};

// Loss and accuracy over a split in evaluation mode, at the evaluation batch size.
PassTotals evaluate(models::Network& net, const datasets::Dataset& data,
                    const datasets::Split& split, std::int64_t batch, bool regression,
                    const std::vector<torch::Tensor>& cached_masks) {
  torch::InferenceMode inference;
  net.set_training(false);
  auto loss_sum = torch::zeros({}, split.features().options().dtype(torch::kFloat64));
  auto correct = torch::zeros({}, split.targets().options().dtype(torch::kInt64));
  const bool classes = !split.targets().is_floating_point();
  const auto n = split.size();
  for (std::int64_t start = 0; start < n; start += batch) {
    const auto len = std::min(batch, n - start);
    auto x = data.prepare(split.features().narrow(0, start, len));
    auto y = split.targets().narrow(0, start, len);
    std::vector<torch::Tensor> masks;
    for (const auto& m : cached_masks) masks.push_back(m.narrow(0, start, len));
    auto out =
        net.forward(x, split.ids().narrow(0, start, len), cached_masks.empty() ? nullptr : &masks);
    loss_sum += data_loss(out, y, regression, torch::Reduction::Sum).to(torch::kFloat64);
    if (classes) correct += out.argmax(1).eq(y).sum();
  }
  // The only host synchronisation of the pass.
  return {loss_sum.item<double>() / static_cast<double>(n),
          static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(n)};
}

}  // namespace

struct Trainer::Impl {
  TrainerOptions options;
  datasets::DatasetCache cache;
  // What checkpoint_epoch() prepared, so that run() resumes from exactly what it reported.
  std::string staged_id;
  std::unique_ptr<TrialSession> staged;

  std::filesystem::path checkpoint_file(const sweeps::TrialSpec& trial) const {
    if (options.checkpoint_dir.empty()) return {};
    return options.checkpoint_dir / sweeps::trial_file_name(trial.id, ".ckpt");
  }

  std::unique_ptr<TrialSession> build(const sweeps::TrialSpec& trial) {
    const auto& c = trial.config;
    const auto seed = static_cast<std::uint64_t>(c.integer("seed"));
    auto s = std::make_unique<TrialSession>();
    // Any torch RNG use without an explicit generator (e.g. dropout) draws from this stream.
    // Seeded before the network is built: torch's layer constructors draw from it too.
    torch::manual_seed(models::derive_seed(seed, models::SeedStream::dropout));
    s->data = cache.get(dataset_request(c, options));
    s->device = s->data->train().features().device();
    s->net = models::make_network(network_config(c, s->data->info()), options.device);
    s->parameters = s->net->trainable_parameters();
    s->optimizer = make_optimizer(c, s->parameters);
    // The data order is drawn on the CPU so that a seed shuffles identically on every device.
    s->order_gen =
        at::detail::createCPUGenerator(models::derive_seed(seed, models::SeedStream::data_order));
    s->global = GlobalGenerators::capture(s->device);
    return s;
  }

  // Built, then restored from the trial's checkpoint if it has a usable one; `warning` says
  // why one that exists is not used.
  std::unique_ptr<TrialSession> open(const sweeps::TrialSpec& trial, std::string& warning) {
    auto session = build(trial);
    const auto file = checkpoint_file(trial);
    std::error_code ec;
    if (file.empty() || !std::filesystem::exists(file, ec)) return session;
    try {
      auto state = session->state();
      auto restored = restore_checkpoint(file, trial, state);
      session->epochs_done = restored.epoch;
      if (restored.has_position) session->position = restored.position;
      session->global.cpu = restored.global.cpu;
      if (restored.global.cuda.defined()) session->global.cuda = restored.global.cuda;
      return session;
    } catch (const CheckpointError& e) {
      warning = "checkpoint " + file.string() + " not used (" + e.what() +
                "); the trial starts from epoch 1";
      return build(trial);  // the failed restore may have overwritten part of the first one
    }
  }
};

Trainer::Trainer(TrainerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}
Trainer::~Trainer() = default;

void Trainer::load_datasets(const std::vector<sweeps::TrialSpec>& trials) {
  for (const auto& t : trials) {
    auto data = impl_->cache.get(dataset_request(t.config, impl_->options));
    if (data->info().task == datasets::Task::regression && t.config.text("task") != "regression") {
      throw datasets::DatasetError("dataset " + data->info().name +
                                   " has real-valued targets: its trials need task: regression");
    }
    check_data_fits_trial(t, *data);
    if (data->info().task == datasets::Task::language_modeling) {
      try {
        plan_steps(t.config, data->train().size());
      } catch (const datasets::DatasetError& e) {
        throw datasets::DatasetError(trial_label(t) + ": " + e.what());
      }
    }
    // Known only once the data is: a batch larger than the training set would silently train
    // full-batch, which no sweep of this paper means.
    const auto batch = t.config.integer("batch_size");
    const auto examples = data->train().size();
    if (batch > examples) {
      throw datasets::DatasetError(trial_label(t) + ": batch_size " + std::to_string(batch) +
                                   " is larger than the training set of " + data->info().name +
                                   " (" + std::to_string(examples) +
                                   " examples after holding out val_fraction " +
                                   sweeps::to_display(t.config.at("val_fraction")) +
                                   "); allowed: batch_size <= " + std::to_string(examples));
    }
  }
}

int Trainer::checkpoint_epoch(const sweeps::TrialSpec& trial, std::string* warning) {
  impl_->staged.reset();
  std::string why;
  auto session = impl_->open(trial, why);
  if (warning != nullptr) *warning = why;
  const int epoch = session->epochs_done;
  impl_->staged_id = trial.id;
  impl_->staged = std::move(session);
  return epoch;
}

void Trainer::remove_checkpoint(const sweeps::TrialSpec& trial) {
  if (impl_->staged_id == trial.id) impl_->staged.reset();
  const auto file = impl_->checkpoint_file(trial);
  // Throws if the file stays: a caller that drops stored epochs relies on it being gone.
  if (!file.empty()) std::filesystem::remove(file);
}

TrialResult Trainer::run(const sweeps::TrialSpec& trial, TrialObserver& observer) {
  using Clock = std::chrono::steady_clock;
  const auto& c = trial.config;
  std::unique_ptr<TrialSession> session;
  if (impl_->staged != nullptr && impl_->staged_id == trial.id) session = std::move(impl_->staged);
  impl_->staged.reset();
  if (session == nullptr) {
    std::string warning;
    session = impl_->open(trial, warning);
    if (!warning.empty()) observer.on_warning(warning);
  }
  auto& net = session->net;
  auto& optimizer = session->optimizer;
  const auto& parameters = session->parameters;
  const auto& data = session->data;
  // Fresh: as seeded before the build; resumed: as they were when the checkpoint was written.
  session->global.apply(session->device);
  observer.on_model_built(net->trainable_parameter_count());
  if (data->info().task == datasets::Task::language_modeling) {
    return train_language_model(*session, trial, observer, impl_->checkpoint_file(trial),
                                impl_->options.checkpoint_every);
  }
  const bool regression = c.text("task") == "regression";
  const double clip = c.real("grad_clip");
  const auto& clip_mode = c.text("grad_clip_mode");

  const auto& train = data->train();
  const auto n = train.size();
  const auto batch = c.integer("batch_size");
  const auto eval_batch = c.integer("eval_batch_size");
  const auto device = session->device;
  const auto epochs = static_cast<int>(c.integer("epochs"));
  const std::int64_t steps_per_epoch = (n + batch - 1) / batch;
  const LrSchedule schedule{c.text("schedule"), c.real("lr"), epochs * steps_per_epoch,
                            c.has("warmup_steps") ? c.integer("warmup_steps") : 0};
  // Accuracy needs classes: a dataset with real-valued targets reports losses only.
  const bool has_accuracy = !train.targets().is_floating_point();
  const auto checkpoint_file = impl_->checkpoint_file(trial);
  const int checkpoint_every = impl_->options.checkpoint_every;

  // The fused step is torch.optim.SGD's update (with or without momentum) on a backbone without
  // norm layers or penalty; clipping needs every gradient before any update, so it disables it.
  const auto& optimizer_name = c.text("optimizer");
  const bool fused = impl_->options.fused_sgd &&
                     (optimizer_name == "sgd" || optimizer_name == "sgd_momentum") && clip <= 0 &&
                     net->has_fused_sgd_step();
  models::SgdUpdate update;
  update.weight_decay = c.real("weight_decay");
  update.momentum = optimizer_name == "sgd_momentum" ? kSgdMomentum : 0.0;
  // With momentum the buffers are the optimizer's own state, so checkpoints hold them as they
  // hold autograd's: a trial resumes the same whichever path wrote its checkpoint.
  std::vector<torch::Tensor> momentum_buffers;
  if (fused && update.momentum != 0) {
    momentum_buffers = momentum_buffers_of(*optimizer, parameters);
    update.momentum_buffers = &momentum_buffers;
  }
  const auto& cfg = net->config();
  const auto mask_bytes =
      (data->train().size() + data->validation().size()) * (cfg.depth - 1) * cfg.width;
  // Augmented training images differ every epoch, and so do their masks: an example's masks
  // are a function of its input, and with augmentation that input is not the stored image.
  // So the per-example cache is only for un-augmented training.
  const bool augmented = c.text("augment") != "none";
  const bool cache_masks = net->masks_depend_only_on_input() && !augmented &&
                           mask_bytes <= impl_->options.mask_cache_bytes;
  const auto augment_seed = models::derive_seed(static_cast<std::uint64_t>(c.integer("seed")),
                                                models::SeedStream::augmentation);
  const auto& eval_test = c.text("eval_test");
  std::vector<torch::Tensor> train_masks, val_masks;

  TrialResult result;
  result.resumed_from_epoch = result.epochs_completed = session->epochs_done;
  if (session->epochs_done > 0) observer.on_resume(session->epochs_done);
  // The schedule continues where the checkpoint left it.
  std::int64_t step = session->epochs_done * steps_per_epoch;
  for (int epoch = session->epochs_done + 1; epoch <= epochs; ++epoch) {
    const auto t0 = Clock::now();
    // Inside the first epoch's time: what the cache costs is counted where it is paid.
    if (cache_masks && train_masks.empty()) {
      train_masks = split_masks(*net, *data, train);
      val_masks = split_masks(*net, *data, data->validation());
    }
    net->set_training(true);
    auto order = torch::randperm(n, session->order_gen, torch::kInt64).to(device);
    auto loss_sum = torch::zeros({}, train.features().options().dtype(torch::kFloat64));
    auto correct = torch::zeros({}, train.targets().options().dtype(torch::kInt64));
    for (std::int64_t start = 0; start < n; start += batch) {
      if (observer.should_stop()) {
        result.outcome = TrialOutcome::interrupted;
        return result;
      }
      auto idx = order.narrow(0, start, std::min(batch, n - start));
      auto y = train.targets().index_select(0, idx);
      auto ids = train.ids().index_select(0, idx);
      auto raw = train.features().index_select(0, idx);
      if (augmented) {
        raw = datasets::crop_flip(raw, data->info().image_shape, ids, augment_seed, epoch);
      }
      auto x = data->prepare(raw);
      std::vector<torch::Tensor> batch_masks;
      if (cache_masks) batch_masks = rows_of(train_masks, idx);
      const auto* masks = cache_masks ? &batch_masks : nullptr;
      const double lr = schedule.kind != "constant" ? schedule.at(step) : c.real("lr");
      torch::Tensor out, loss;
      if (fused) {
        update.lr = lr;
        out = net->sgd_step(
            x, ids, masks,
            [&](const torch::Tensor& output) {
              // dL/da_L through autograd on the output alone: the loss stays data_loss's.
              torch::AutoGradMode grad_mode(true);
              auto leaf = output.detach().requires_grad_(true);
              loss = data_loss(leaf, y, regression);
              loss.backward();
              return leaf.grad();
            },
            update);
      } else {
        out = net->forward(x, ids, masks);
        loss = data_loss(out, y, regression);
        auto penalty = net->penalty();
        optimizer->zero_grad();
        (penalty.defined() ? loss + penalty : loss).backward();
        if (clip > 0) clip_gradients(parameters, clip_mode, clip);
        if (schedule.kind != "constant") {
          for (auto& group : optimizer->param_groups()) group.options().set_lr(lr);
        }
        optimizer->step();
      }
      ++step;
      // Accumulated on the device: no host synchronisation inside the step loop.
      loss_sum += loss.detach().to(torch::kFloat64) * static_cast<double>(idx.size(0));
      if (has_accuracy) correct += out.detach().argmax(1).eq(y).sum();
    }
    if (update.momentum_buffers != nullptr) {
      store_momentum_buffers(*optimizer, parameters, momentum_buffers);
    }
    EpochMetrics m;
    m.epoch = epoch;
    m.train_loss = loss_sum.item<double>() / static_cast<double>(n);
    m.has_accuracy = has_accuracy;
    m.train_acc = static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(n);
    if (!std::isfinite(m.train_loss)) {
      result.outcome = TrialOutcome::diverged;
      result.error =
          "training loss is " + std::to_string(m.train_loss) + " in epoch " + std::to_string(epoch);
      return result;
    }
    const auto val = evaluate(*net, *data, data->validation(), eval_batch, regression, val_masks);
    m.val_loss = val.loss;
    m.val_acc = val.acc;
    if (eval_test == "every_epoch" || (eval_test == "final" && epoch == epochs)) {
      // The test split has no cached masks: it is read once per evaluation at most.
      const auto test = evaluate(*net, *data, data->test(), eval_batch, regression, {});
      m.has_test = true;
      m.test_loss = test.loss;
      m.test_acc = test.acc;
    }
    m.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    observer.on_epoch(m);
    result.epochs_completed = epoch;
    // After the epoch is stored: a crash in between leaves the store ahead of the checkpoint,
    // and a resume drops the stored epochs after the checkpoint's (never a gap in the curve).
    // None after the last epoch: the trial ends there and its checkpoint would only be deleted
    // (a crash in between reruns that one epoch; for a 1-epoch trial this halves its cost).
    if (!checkpoint_file.empty() && checkpoint_every > 0 && epoch % checkpoint_every == 0 &&
        epoch < epochs) {
      if (!observer.may_checkpoint(epoch)) {
        result.outcome = TrialOutcome::interrupted;
        return result;
      }
      write_checkpoint(checkpoint_file, trial, epoch, session->state());
      observer.on_checkpoint(epoch);
    }
  }
  return result;
}

}  // namespace comet::engine
