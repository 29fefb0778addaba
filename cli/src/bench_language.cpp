// comet bench --arch gpt2: comet's language-model training (a sweep of one trial, run by
// `comet run` in this process) against peer_gpt.py (HF GPT-2 semantics in eager PyTorch),
// alternating, in tokens per second of training.

#include "bench_language.h"

#include <fmt/format.h>

#include <ostream>

#include "bench_runs.h"
#include "peer_loop_runner.h"

#include "comet/engine/runtime_info.h"
#include "comet/results/result_store.h"

namespace comet::cli {
namespace {

// peer_gpt.py's configuration as a sweep: AdamW lr 5e-4 (wd 0.1, none on biases and LayerNorm
// weights), 10 warm-up steps then cosine over `steps`, clipping at 1.0, dropout 0.1, tanh in
// the MLP. One evaluation, after the last step, of 4 validation blocks (the peer evaluates
// none; comet's tokens per second count training steps only).
std::string language_sweep(const BenchParams& p, std::int64_t batch) {
  return fmt::format(
      "name: bench-gpt2\ndataset: {}\narch: gpt2\nmodel: {}\np_k: {}\nactivation: tanh\n"
      "dim: {}\ndepth: {}\nheads: {}\nwidth: {}\nblock_size: {}\ndropout: 0.1\n"
      "batch_size: {}\ngrad_accum: {}\nepochs: 1\nmax_steps: {}\neval_every: {}\n"
      "eval_blocks: 4\noptimizer: adamw\nlr: 5.0e-4\nweight_decay: 0.1\n"
      "schedule: warmup_cosine\nwarmup_steps: 10\ngrad_clip: 1.0\nseed: 0\n",
      p.corpus, p.model, p.p_k, p.dim, p.depth, p.heads, p.width, p.block, batch, p.grad_accum,
      p.steps, p.steps);
}

std::vector<std::string> peer_arguments(const BenchParams& p, std::int64_t batch, int threads) {
  return {"--model",   p.model,
          "--p-k",     std::to_string(p.p_k),
          "--layers",  std::to_string(p.depth),
          "--embd",    std::to_string(p.dim),
          "--heads",   std::to_string(p.heads),
          "--block",   std::to_string(p.block),
          "--batch",   std::to_string(batch),
          "--accum",   std::to_string(p.grad_accum),
          "--steps",   std::to_string(p.steps),
          "--warmup",  "10",
          "--threads", std::to_string(threads)};
}

// The training tokens per second of the one trial in `db` (its last record's train/tokens_per_s:
// over every step, since the sweep evaluates once).
double comet_tokens_per_second(const std::filesystem::path& db) {
  auto store = results::ResultStore::open_read_only(db);
  const auto trials = store.list_trials();
  if (trials.size() != 1) throw BenchError("expected one trial in " + db.string());
  double rate = 0;
  for (const auto& point : store.curve(trials.front().id)) {
    if (point.split == "train" && point.name == "tokens_per_s") rate = point.value;
  }
  if (rate <= 0) throw BenchError("no train/tokens_per_s in " + db.string());
  return rate;
}

}  // namespace

nlohmann::json language_bench(const BenchParams& p, const std::filesystem::path& dir,
                              std::ostream& out, std::ostream& err) {
  const int cores = p.threads > 0 ? p.threads : engine::default_threads();
  out << fmt::format(
             "GPT-2 {} layers, dim {}, heads {}, MLP width {}, block {}, {} p_k {}, vocab of "
             "gpt2-bpe, AdamW, {} steps a run, comet on {}, the peer on random ids; {} "
             "repetition(s); both on {} thread(s)\n",
             p.depth, p.dim, p.heads, p.width, p.block, p.model, p.p_k, p.steps, p.corpus,
             p.repetitions, cores)
      << std::flush;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto batch : p.batches) {
    std::vector<double> peer, comet;
    PeerResult peer_info;
    const auto sweep = language_sweep(p, batch);
    for (int rep = 1; rep <= p.repetitions; ++rep) {
      if (!p.peer.empty()) {
        peer_info = run_peer_script(p.python, p.peer, peer_arguments(p, batch, cores));
        peer.push_back(peer_info.tokens_per_second);
        err << fmt::format("batch {} rep {}: peer  {:.0f} tokens/s\n", batch, rep, peer.back())
            << std::flush;
      }
      const auto db = run_sweep(p, dir, "bench-gpt2-b" + std::to_string(batch), sweep, 1, cores);
      comet.push_back(comet_tokens_per_second(db));
      err << fmt::format("batch {} rep {}: comet {:.0f} tokens/s\n", batch, rep, comet.back())
          << std::flush;
    }
    nlohmann::json row{
        {"batch", batch}, {"comet_tokens_per_second", comet}, {"comet_median", median(comet)}};
    if (!peer.empty()) {
      row["peer_tokens_per_second"] = peer;
      row["peer_median"] = median(peer);
      // Time per token is the inverse of the rate: comet/peer time = peer rate / comet rate.
      row["ratio_comet_over_peer_time_per_token"] = median(peer) / median(comet);
      row["peer_device"] = peer_info.device;
      row["peer_torch"] = peer_info.torch;
      row["peer_trainable_params"] = peer_info.trainable_params;
    }
    rows.push_back(row);
  }
  out << fmt::format("\n{:>5}  {:>13}  {:>14}  {:>24}\n", "batch", "peer tokens/s",
                     "comet tokens/s", "comet/peer time per token");
  for (const auto& r : rows) {
    const bool has_peer = r.contains("peer_median");
    out << fmt::format(
        "{:>5}  {:>13}  {:>14.0f}  {:>24}\n", r["batch"].get<std::int64_t>(),
        has_peer ? fmt::format("{:.0f}", r["peer_median"].get<double>()) : "-",
        r["comet_median"].get<double>(),
        has_peer ? fmt::format("{:.3f}", r["ratio_comet_over_peer_time_per_token"].get<double>())
                 : "-");
  }
  out << "(medians over the repetitions; training steps only, each side's own clock)\n";
  return rows;
}

}  // namespace comet::cli
