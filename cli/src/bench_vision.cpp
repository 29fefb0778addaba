// comet bench --arch vit|mixer: comet's vision transformer against peer_vit.py (the same model
// in eager PyTorch, the paper's base repository's style), alternating, on Fashion-MNIST.

#include "bench_vision.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "bench_runs.h"
#include "peer_loop_runner.h"

#include "comet/cli/exit_codes.h"
#include "comet/engine/runtime_info.h"

namespace comet::cli {
namespace {

// peer_vit.py's configuration as a sweep: Adam lr 1e-3 with a cosine schedule, tanh in the MLPs,
// dropout 0.1 (and 0.1 after the embedding: the ViT), 80/20 split of the first `limit` images.
std::string vision_sweep(const BenchParams& p, std::int64_t batch) {
  std::string arch_keys = fmt::format("dim: {}\npatch: {}\ndropout: 0.1\n", p.dim, p.patch);
  if (p.arch == "vit") {
    arch_keys += fmt::format("heads: {}\ndim_head: {}\nemb_dropout: 0.1\n", p.heads, p.dim_head);
  }
  return fmt::format(
      "name: bench-{}\ndataset: fashion_mnist\ntrain_limit: {}\nval_fraction: 0.2\nepochs: {}\n"
      "batch_size: {}\noptimizer: adam\nlr: 1.0e-3\nschedule: cosine\nactivation: tanh\n"
      "arch: {}\ndepth: {}\nwidth: {}\np_k: {}\nmodel: {}\nseed: 0\n{}",
      p.arch, p.limit, p.epochs, batch, p.arch, p.depth, p.width, p.p_k, p.model, arch_keys);
}

std::vector<std::string> peer_arguments(const BenchParams& p, std::int64_t batch, int threads) {
  return {"--arch",     p.arch,
          "--model",    p.model,
          "--p-k",      std::to_string(p.p_k),
          "--dim",      std::to_string(p.dim),
          "--depth",    std::to_string(p.depth),
          "--heads",    std::to_string(p.heads),
          "--dim-head", std::to_string(p.dim_head),
          "--width",    std::to_string(p.width),
          "--patch",    std::to_string(p.patch),
          "--batch",    std::to_string(batch),
          "--epochs",   std::to_string(p.epochs),
          "--limit",    std::to_string(p.limit),
          "--threads",  std::to_string(threads)};
}

}  // namespace

nlohmann::json vision_bench(const BenchParams& p, const std::filesystem::path& dir,
                            std::ostream& out, std::ostream& err) {
  const int cores = p.threads > 0 ? p.threads : engine::default_threads();
  out << fmt::format(
             "{} dim {}, depth {}, {}width {}, patch {}, {} p_k {}, Fashion-MNIST first {} images "
             "(80/20 split), Adam, {} epoch(s) a run, {} repetition(s); both on {} thread(s)\n",
             p.arch == "vit" ? "ViT" : "MLP-Mixer", p.dim, p.depth,
             p.arch == "vit" ? fmt::format("heads {} x {}, ", p.heads, p.dim_head) : "", p.width,
             p.patch, p.model, p.p_k, p.limit, p.epochs, p.repetitions, cores)
      << std::flush;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto batch : p.batches) {
    std::vector<double> peer, comet;
    PeerResult peer_info;
    const auto sweep = vision_sweep(p, batch);
    for (int rep = 1; rep <= p.repetitions; ++rep) {
      if (!p.peer.empty()) {
        peer_info = run_peer_script(p.python, p.peer, peer_arguments(p, batch, cores));
        peer.push_back(peer_info.seconds_per_epoch);
        err << fmt::format("batch {} rep {}: peer  {:.3f} s/epoch\n", batch, rep, peer.back())
            << std::flush;
      }
      // One worker with as many threads as the peer has.
      const auto db =
          run_sweep(p, dir, "bench-" + p.arch + "-b" + std::to_string(batch), sweep, 1, cores);
      comet.push_back(comet_seconds_per_epoch(db).all_epochs);
      err << fmt::format("batch {} rep {}: comet {:.3f} s/epoch\n", batch, rep, comet.back())
          << std::flush;
    }
    nlohmann::json row{
        {"batch", batch}, {"comet_seconds_per_epoch", comet}, {"comet_median", median(comet)}};
    if (!peer.empty()) {
      row["peer_seconds_per_epoch"] = peer;
      row["peer_median"] = median(peer);
      row["ratio_comet_over_peer"] = median(comet) / median(peer);
      row["peer_device"] = peer_info.device;
      row["peer_torch"] = peer_info.torch;
    }
    rows.push_back(row);
  }
  out << fmt::format("\n{:>5}  {:>12}  {:>13}  {:>10}\n", "batch", "peer s/epoch", "comet s/epoch",
                     "comet/peer");
  for (const auto& r : rows) {
    const bool has_peer = r.contains("peer_median");
    out << fmt::format(
        "{:>5}  {:>12}  {:>13.3f}  {:>10}\n", r["batch"].get<std::int64_t>(),
        has_peer ? fmt::format("{:.3f}", r["peer_median"].get<double>()) : "-",
        r["comet_median"].get<double>(),
        has_peer ? fmt::format("{:.3f}", r["ratio_comet_over_peer"].get<double>()) : "-");
  }
  out << "(medians over the repetitions; each side's own clock: training and validation)\n";
  return rows;
}

}  // namespace comet::cli
