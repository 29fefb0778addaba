#include "language_training.h"

#include <chrono>
#include <cmath>
#include <optional>

#include <ATen/autocast_mode.h>

#include "gradient_clipping.h"
#include "lr_schedule.h"

namespace comet::engine {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Autocast for the forward pass on CUDA (precision fp16 or bf16); nothing on the CPU, which
// trains in fp32 whatever the trial asks (docs/commands/run.md, precision).
class AutocastScope {
 public:
  AutocastScope(bool enabled, at::ScalarType dtype) : enabled_(enabled) {
    if (!enabled_) return;
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(true);
    at::autocast::increment_nesting();
  }
  ~AutocastScope() {
    if (!enabled_) return;
    // Casts are cached within a forward; the cache must not outlive it (torch.autocast's rule).
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_enabled(false);
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
};

// torch.cuda.amp.GradScaler's dynamic loss scale for fp16: losses are multiplied by the scale
// before backward; a step whose unscaled gradients are not all finite is skipped and halves the
// scale; 2000 good steps in a row double it.
struct LossScale {
  double scale = 0;  // 0: off
  std::int64_t good_steps = 0;

  // Unscales the gradients in place; false when some are not finite (skip the step).
  bool unscale(const std::vector<torch::Tensor>& parameters) {
    std::vector<torch::Tensor> finite;
    for (const auto& p : parameters) {
      if (!p.grad().defined()) continue;
      p.mutable_grad().mul_(1.0 / scale);
      finite.push_back(torch::isfinite(p.grad()).all());
    }
    const bool ok = finite.empty() || torch::stack(finite).all().item<bool>();
    if (!ok) {
      scale *= 0.5;
      good_steps = 0;
    } else if (++good_steps == 2000) {
      scale *= 2.0;
      good_steps = 0;
    }
    return ok;
  }
};

// Mean next-token loss over the split's first `max_blocks` blocks (0: all), in evaluation mode
// at `batch` blocks a batch. Every block has block_size - 1 predictions, so the mean of the
// per-batch means weighted by their blocks is the mean over every prediction. nullopt: the
// observer asked to stop.
std::optional<double> evaluate_blocks(models::Network& net, const datasets::Dataset& data,
                                      const datasets::Split& split, std::int64_t batch,
                                      std::int64_t max_blocks, TrialObserver& observer,
                                      bool autocast, at::ScalarType autocast_dtype) {
  torch::InferenceMode inference;
  net.set_training(false);
  const auto n = max_blocks > 0 ? std::min(max_blocks, split.size()) : split.size();
  auto sum = torch::zeros(
      {}, torch::TensorOptions().dtype(torch::kFloat64).device(split.features().device()));
  for (std::int64_t start = 0; start < n; start += batch) {
    if (observer.should_stop()) return std::nullopt;
    const auto len = std::min(batch, n - start);
    auto tokens = data.prepare(split.features().narrow(0, start, len));
    AutocastScope cast(autocast, autocast_dtype);
    sum += net.next_token_loss(tokens).to(torch::kFloat64) * static_cast<double>(len);
  }
  return sum.item<double>() / static_cast<double>(n);
}

}  // namespace

StepPlan plan_steps(const sweeps::TrialConfig& c, std::int64_t train_blocks) {
  StepPlan plan;
  const auto batch = c.integer("batch_size");
  const auto accum = c.integer("grad_accum");
  plan.micro_per_pass = train_blocks / batch;
  plan.total_steps = c.integer("epochs") * plan.micro_per_pass / accum;
  if (c.integer("max_steps") > 0)
    plan.total_steps = std::min(plan.total_steps, c.integer("max_steps"));
  if (plan.total_steps < 1) {
    throw datasets::DatasetError(
        "the training split has " + std::to_string(train_blocks) +
        " blocks: " + std::to_string(c.integer("epochs")) + " epoch(s) of batch_size " +
        std::to_string(batch) + " x grad_accum " + std::to_string(accum) +
        " make no optimizer step; allowed: epochs * floor(blocks / batch_size) >= grad_accum");
  }
  const auto per_pass = std::max<std::int64_t>(1, plan.micro_per_pass / accum);
  plan.eval_every = c.integer("eval_every") > 0 ? c.integer("eval_every") : per_pass;
  plan.total_records = static_cast<int>((plan.total_steps + plan.eval_every - 1) / plan.eval_every);
  return plan;
}

TrialResult train_language_model(TrialSession& s, const sweeps::TrialSpec& trial,
                                 TrialObserver& observer,
                                 const std::filesystem::path& checkpoint_file,
                                 int checkpoint_every) {
  const auto& c = trial.config;
  auto& net = *s.net;
  auto& optimizer = *s.optimizer;
  const auto& data = *s.data;
  const auto& train = data.train();
  const auto plan = plan_steps(c, train.size());
  const auto batch = c.integer("batch_size");
  const auto accum = c.integer("grad_accum");
  const auto block = data.info().block_size;
  const double clip = c.real("grad_clip");
  const auto& clip_mode = c.text("grad_clip_mode");
  const LrSchedule schedule{c.text("schedule"), c.real("lr"), plan.total_steps,
                            c.has("warmup_steps") ? c.integer("warmup_steps") : 0};
  const double max_seconds = c.real("max_hours") * 3600.0;
  const auto& eval_test = c.text("eval_test");
  const auto eval_blocks = c.integer("eval_blocks");

  const bool cuda = s.device.is_cuda();
  const auto& precision = c.text("precision");
  const bool autocast = cuda && precision != "fp32";
  const auto autocast_dtype = precision == "bf16" ? at::kBFloat16 : at::kHalf;
  LossScale loss_scale;
  if (cuda && precision == "fp16") {
    loss_scale.scale = s.position.loss_scale > 0 ? s.position.loss_scale : 65536.0;
    loss_scale.good_steps = s.position.good_steps;
  }

  TrialResult result;
  result.resumed_from_epoch = result.epochs_completed = s.epochs_done;
  if (s.epochs_done > 0) observer.on_resume(s.epochs_done);
  StepPosition pos = s.position;
  int records = s.epochs_done;

  // The order of a pass is drawn when it starts; `pass_start` keeps the generator as it was
  // then, which is what a checkpoint saves (checkpoint.h, StepPosition).
  auto pass_start = s.order_gen.clone();
  auto order = torch::randperm(train.size(), s.order_gen, torch::kInt64);

  auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(s.device));
  std::int64_t interval_micro = 0;
  double interval_train_seconds = 0;
  auto interval_start = Clock::now();
  double last_lr = 0;

  while (pos.step < plan.total_steps) {
    if (observer.should_stop()) {
      result.outcome = TrialOutcome::interrupted;
      return result;
    }
    const auto step_start = Clock::now();
    net.set_training(true);
    optimizer.zero_grad();
    for (std::int64_t a = 0; a < accum; ++a) {
      if (pos.micro_in_pass == plan.micro_per_pass) {
        ++pos.pass;
        pos.micro_in_pass = 0;
        pass_start = s.order_gen.clone();
        order = torch::randperm(train.size(), s.order_gen, torch::kInt64);
      }
      auto idx = order.narrow(0, pos.micro_in_pass * batch, batch).to(s.device);
      auto tokens = data.prepare(train.features().index_select(0, idx));
      torch::Tensor loss;
      {
        AutocastScope cast(autocast, autocast_dtype);
        loss = net.next_token_loss(tokens);
      }
      // Every micro-batch has batch * (block - 1) predictions: the mean of the accumulated
      // means is the mean over the large batch (HF divides by gradient_accumulation_steps).
      auto scaled = loss / static_cast<double>(accum);
      if (loss_scale.scale > 0) scaled = scaled * loss_scale.scale;
      scaled.backward();
      loss_sum += loss.detach().to(torch::kFloat64);
      ++interval_micro;
      ++pos.micro_in_pass;
    }
    const bool finite_step = loss_scale.scale > 0 ? loss_scale.unscale(s.parameters) : true;
    if (clip > 0) clip_gradients(s.parameters, clip_mode, clip);
    last_lr = schedule.kind != "constant" ? schedule.at(pos.step) : c.real("lr");
    for (auto& group : optimizer.param_groups()) group.options().set_lr(last_lr);
    if (finite_step) optimizer.step();
    ++pos.step;
    const double step_seconds = seconds_since(step_start);
    interval_train_seconds += step_seconds;
    pos.train_seconds += step_seconds;

    const bool out_of_time = max_seconds > 0 && pos.train_seconds >= max_seconds;
    if (pos.step % plan.eval_every != 0 && pos.step != plan.total_steps && !out_of_time) continue;

    EpochMetrics m;
    m.epoch = records + 1;
    m.step = pos.step;
    m.total_records = plan.total_records;
    m.has_accuracy = false;
    m.train_loss = loss_sum.item<double>() / static_cast<double>(interval_micro);
    if (!std::isfinite(m.train_loss)) {
      result.outcome = TrialOutcome::diverged;
      result.error = "training loss is " + std::to_string(m.train_loss) + " at step " +
                     std::to_string(pos.step);
      return result;
    }
    const auto val = evaluate_blocks(net, data, data.validation(), batch, eval_blocks, observer,
                                     autocast, autocast_dtype);
    if (!val) {
      result.outcome = TrialOutcome::interrupted;
      return result;
    }
    m.val_loss = *val;
    const bool final_record = pos.step == plan.total_steps || out_of_time;
    if (eval_test == "every_epoch" || (eval_test == "final" && final_record)) {
      const auto test = evaluate_blocks(net, data, data.test(), batch, eval_blocks, observer,
                                        autocast, autocast_dtype);
      if (!test) {
        result.outcome = TrialOutcome::interrupted;
        return result;
      }
      m.has_test = true;
      m.test_loss = *test;
      m.extra.push_back({"test", "ppl", std::exp(*test)});
    }
    const double tokens_per_micro = static_cast<double>(batch * block);
    m.extra.push_back({"train", "ppl", std::exp(m.train_loss)});
    m.extra.push_back({"val", "ppl", std::exp(m.val_loss)});
    m.extra.push_back({"train", "tokens_per_s",
                       tokens_per_micro * static_cast<double>(interval_micro) /
                           std::max(interval_train_seconds, 1e-9)});
    m.extra.push_back({"train", "lr", last_lr});
    m.extra.push_back({"epoch", "step", static_cast<double>(pos.step)});
    m.extra.push_back(
        {"epoch", "tokens", tokens_per_micro * static_cast<double>(pos.step * accum)});
    m.extra.push_back(
        {"epoch", "epoch",
         static_cast<double>(pos.pass) +
             static_cast<double>(pos.micro_in_pass) / static_cast<double>(plan.micro_per_pass)});
    m.seconds = seconds_since(interval_start);
    observer.on_epoch(m);
    result.epochs_completed = ++records;
    loss_sum.zero_();
    interval_micro = 0;
    interval_train_seconds = 0;
    interval_start = Clock::now();
    if (final_record) break;
    // As the epoch loop: after the record is stored, never after the last one.
    if (!checkpoint_file.empty() && checkpoint_every > 0 && records % checkpoint_every == 0) {
      if (!observer.may_checkpoint(records)) {
        result.outcome = TrialOutcome::interrupted;
        return result;
      }
      pos.loss_scale = loss_scale.scale;
      pos.good_steps = loss_scale.good_steps;
      TrainingState state{net, optimizer, pass_start, s.device};
      write_checkpoint(checkpoint_file, trial, records, state, &pos);
      observer.on_checkpoint(records);
    }
  }
  return result;
}

}  // namespace comet::engine
