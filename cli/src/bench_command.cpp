// comet bench: the peer and comet alternating on one configuration, the GEMM rate, and the
// orchestration overhead; a summary on stdout, progress on stderr, everything as JSON on request.

#include "comet/cli/bench_command.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench_language.h"
#include "bench_runs.h"
#include "bench_vision.h"
#include "bench_work.h"
#include "peer_loop_runner.h"

#include "comet/cli/commands.h"
#include "comet/cli/exit_codes.h"
#include "comet/cli/usage_error.h"
#include "comet/engine/runtime_info.h"
#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"
#include "comet/version.h"

namespace comet::cli {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

void check_params(const BenchParams& p) {
  auto fail = [](const std::string& what) { throw UsageError(what); };
  if (p.arch != "mlp" && p.arch != "vit" && p.arch != "mixer" && p.arch != "gpt2") {
    fail(fmt::format("--arch '{}'; allowed: mlp, vit, mixer, gpt2", p.arch));
  }
  if (p.arch == "gpt2") {
    if (p.block < 2) fail(fmt::format("--block {} must be >= 2", p.block));
    if (p.grad_accum < 1) fail(fmt::format("--grad-accum {} must be >= 1", p.grad_accum));
    if (p.steps < 1) fail(fmt::format("--steps {} must be >= 1", p.steps));
    if (p.dim % p.heads != 0) {
      fail(fmt::format("--dim {} must be a multiple of --heads {}", p.dim, p.heads));
    }
  }
  if (p.arch != "mlp" && p.model != "comet" && p.model != "standard") {
    fail(fmt::format(
        "--model '{}'; allowed: comet, standard (what peer_vit.py and peer_gpt.py have)", p.model));
  }
  for (const auto& [name, value] : {std::pair<const char*, std::int64_t>{"--dim", p.dim},
                                    {"--depth", p.depth},
                                    {"--heads", p.heads},
                                    {"--dim-head", p.dim_head},
                                    {"--patch", p.patch}}) {
    if (value < 1) fail(fmt::format("{} {} must be >= 1", name, value));
  }
  if (p.arch != "gpt2" && 28 % p.patch != 0)
    fail(fmt::format("--patch {} must divide 28 (Fashion-MNIST)", p.patch));
  if (p.threads < 0) fail(fmt::format("--threads {} must be >= 0", p.threads));
  if (p.width < 1) fail(fmt::format("--width {} must be >= 1", p.width));
  if (!(p.p_k > 0 && p.p_k <= 1)) fail(fmt::format("--p-k {} is outside (0, 1]", p.p_k));
  if (p.batches.empty()) fail("--batch needs at least one batch size");
  for (auto b : p.batches) {
    if (b < 1) fail(fmt::format("--batch {} must be >= 1", b));
  }
  if (p.limit < 10) fail(fmt::format("--limit {} must be >= 10 (training images used)", p.limit));
  if (p.epochs < 1) fail(fmt::format("--epochs {} must be >= 1", p.epochs));
  if (p.repetitions < 1) fail(fmt::format("--repetitions {} must be >= 1", p.repetitions));
  if (p.overhead_trials < 0) fail(fmt::format("--trials {} must be >= 0", p.overhead_trials));
  if (p.gemm_size < 64) fail(fmt::format("--gemm-size {} must be >= 64", p.gemm_size));
}

// The peer's configuration as a sweep: peer_loop.py's model, data and optimizer.
std::string epoch_sweep(const BenchParams& p, std::int64_t batch) {
  return fmt::format(
      "name: bench\ndataset: fashion_mnist\ntrain_limit: {}\nval_fraction: 0.2\nepochs: {}\n"
      "batch_size: {}\noptimizer: sgd\nlr: 1.0e-3\nactivation: softplus\ndepth: 4\n"
      "width: {}\np_k: {}\nmodel: comet\nseed: 0\n",
      p.limit, p.epochs, batch, p.width, p.p_k);
}

// comet as it runs, or with its hot-path shortcuts turned off through the worker's environment.
struct CometVariant {
  std::string name;
  std::vector<std::pair<std::string, std::string>> environment;
};

std::vector<CometVariant> comet_variants(bool ablation) {
  std::vector<CometVariant> v{{"comet", {}}};
  if (ablation) {
    v.push_back({"comet, autograd step", {{"COMET_FUSED_SGD", "0"}}});
    v.push_back({"comet, autograd step, routing every step",
                 {{"COMET_FUSED_SGD", "0"}, {"COMET_MASK_CACHE_MB", "0"}}});
  }
  return v;
}

// Sets the variables for one run and restores what was there before.
class ScopedEnvironment {
 public:
  explicit ScopedEnvironment(const std::vector<std::pair<std::string, std::string>>& vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name.c_str());
      saved_.push_back({name, old != nullptr, old != nullptr ? old : ""});
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedEnvironment() {
    for (const auto& s : saved_) {
      if (s.was_set) {
        ::setenv(s.name.c_str(), s.value.c_str(), 1);
      } else {
        ::unsetenv(s.name.c_str());
      }
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  struct Saved {
    std::string name;
    bool was_set;
    std::string value;
  };
  std::vector<Saved> saved_;
};

struct BatchResult {
  std::int64_t batch = 0;
  std::vector<double> peer;                // seconds per epoch, one per repetition
  std::vector<std::vector<double>> comet;  // the same per variant (comet_variants' order)
  std::vector<double> steady;              // comet's epochs after the first, per repetition
  PeerResult peer_info;
};

nlohmann::json epoch_json(const BenchParams& p, const BatchResult& r, double gemm_gflops) {
  const std::int64_t n_train = p.limit - static_cast<std::int64_t>(std::llround(p.limit * 0.2));
  const auto work = epoch_work({784, p.width, p.width, p.width, 10}, n_train, p.limit - n_train);
  const double executed = executed_per_epoch(work, p.epochs);
  const double comet = median(r.comet.front());
  nlohmann::json j{{"batch", r.batch},
                   {"comet_seconds_per_epoch", r.comet.front()},
                   {"comet_median", comet},
                   {"comet_gflop_per_epoch", executed / 1e9},
                   {"peer_gflop_per_epoch", routed_every_step(work) / 1e9}};
  j["comet_gflops"] = executed / 1e9 / comet;
  j["comet_fraction_of_gemm_peak"] = executed / 1e9 / comet / gemm_gflops;
  if (p.epochs > 1) {
    // Epochs after the first route nothing: their work is the backbone's alone.
    const double steady = median(r.steady);
    const double backbone = work.train + work.eval;
    j["comet_steady_seconds_per_epoch"] = r.steady;
    j["comet_steady_median"] = steady;
    j["comet_steady_gflops"] = backbone / 1e9 / steady;
    j["comet_steady_fraction_of_gemm_peak"] = backbone / 1e9 / steady / gemm_gflops;
  }
  if (!r.peer.empty()) {
    j["peer_seconds_per_epoch"] = r.peer;
    j["peer_median"] = median(r.peer);
    j["ratio_comet_over_peer"] = comet / median(r.peer);
    j["peer_device"] = r.peer_info.device;
    j["peer_torch"] = r.peer_info.torch;
  }
  const auto variants = comet_variants(p.ablation);
  if (variants.size() > 1) {
    nlohmann::json ablation = nlohmann::json::array();
    for (std::size_t v = 0; v < variants.size(); ++v) {
      ablation.push_back({{"variant", variants[v].name},
                          {"seconds_per_epoch", r.comet[v]},
                          {"median", median(r.comet[v])}});
    }
    j["ablation"] = ablation;
  }
  return j;
}

std::string overhead_sweep(int trials) {
  std::string seeds;
  for (int s = 0; s < trials; ++s) seeds += (s == 0 ? "" : ", ") + std::to_string(s);
  return "name: overhead\ndataset: synthetic_clusters\nsynthetic_clusters.count: 64\n"
         "synthetic_clusters.dims: 4\nmodel: standard\nwidth: 4\ndepth: 2\nepochs: 1\n"
         "lr: 0.01\ngrid:\n  seed: [" +
         seeds + "]\n";
}

// One epoch's database write as the scheduler makes it (5 metric rows, one transaction).
double epoch_write_microseconds(const fs::path& dir) {
  const auto spec = sweeps::parse_sweep_text(overhead_sweep(1), "epoch-write.yaml");
  const auto trials = sweeps::expand_trials(spec);
  const auto db = dir / "epoch-write.db";
  std::error_code ec;
  fs::remove(db, ec);
  auto store = results::ResultStore::open(db);
  store.register_sweep(spec, trials);
  store.start_attempt(trials.front().id, results::AttemptInfo{});
  constexpr int kEpochs = 2000;
  const auto t0 = Clock::now();
  for (int e = 1; e <= kEpochs; ++e) {
    const double x = e * 1e-4;
    store.record_epoch(trials.front().id, {e,
                                           {{"train", "loss", 1 - x},
                                            {"train", "acc", x},
                                            {"val", "loss", 1 - x},
                                            {"val", "acc", x},
                                            {"epoch", "seconds", 1.0}}});
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / kEpochs;
}

// Where and with what a bench ran: the first keys of its JSON.
nlohmann::json machine_json(const BenchParams& p, int cores) {
  return {{"comet_version", version_string()},
          {"torch", engine::torch_version()},
          {"host", engine::host_name()},
          {"device", p.device},
          {"device_name", engine::device_name(p.device)},
          {"cores", cores},
          {"blas", engine::blas_name()}};
}

// The defaults that depend on --arch, filled in.
BenchParams resolved(BenchParams p) {
  if (p.width == 0) p.width = p.arch == "mlp" ? 1000 : p.arch == "gpt2" ? 4 * p.dim : 128;
  if (p.arch != "mlp" && p.peer.filename() == "peer_loop.py")
    p.peer.replace_filename(p.arch == "gpt2" ? "peer_gpt.py" : "peer_vit.py");
  // The tiny configuration is batch 16; --batch given replaces it.
  if (p.arch == "gpt2" && p.batches == std::vector<std::int64_t>{32, 128}) p.batches = {16};
  return p;
}

}  // namespace

// Before anything is measured: a missing peer script would fail only after the GEMM probe.
// The default path is outside the repository (beside the project's checkout, ../shared/bench),
// so a clean clone lacks it: the message says what to pass.
void check_peer(const BenchParams& p) {
  std::error_code ec;
  if (p.peer.empty() || std::filesystem::is_regular_file(p.peer, ec)) return;
  const bool is_default = p.peer.parent_path() == BenchParams{}.peer.parent_path();
  throw UsageError(fmt::format(
      "--peer {}: no such file{}; pass --peer PATH/{} (the authors' training loop re-expressed), "
      "or --peer '' to measure comet alone",
      p.peer.string(),
      is_default ? " (the default, relative to the current folder, lies outside the repository: "
                   "a clean clone does not have it)"
                 : "",
      p.peer.filename().string()));
}

int bench_command(const BenchParams& given, std::ostream& out, std::ostream& err) {
  const BenchParams p = resolved(given);
  check_params(p);
  check_peer(p);
  WorkDir dir(p.work_dir);
  const int cores = engine::default_threads();
  engine::set_threads(cores);
  out << fmt::format("comet bench on {} ({}, {} core(s), {})\n", engine::host_name(),
                     engine::device_name(p.device), cores, engine::blas_name());
  if (p.arch == "gpt2") {
    nlohmann::json report = machine_json(p, cores);
    report["config"] = {{"arch", p.arch},
                        {"model", p.model},
                        {"dim", p.dim},
                        {"depth", p.depth},
                        {"heads", p.heads},
                        {"width", p.width},
                        {"block", p.block},
                        {"p_k", p.p_k},
                        {"grad_accum", p.grad_accum},
                        {"steps", p.steps},
                        {"corpus", p.corpus},
                        {"threads", p.threads > 0 ? p.threads : cores},
                        {"repetitions", p.repetitions}};
    report["tokens"] = language_bench(p, dir.path(), out, err);
    if (!p.json.empty()) {
      write_text(p.json, report.dump(2) + "\n");
      out << "results: " << p.json.string() << "\n";
    }
    return kExitOk;
  }
  if (p.arch != "mlp") {
    nlohmann::json report = machine_json(p, cores);
    report["config"] = {{"arch", p.arch},
                        {"model", p.model},
                        {"dim", p.dim},
                        {"depth", p.depth},
                        {"heads", p.heads},
                        {"dim_head", p.dim_head},
                        {"width", p.width},
                        {"patch", p.patch},
                        {"p_k", p.p_k},
                        {"threads", p.threads > 0 ? p.threads : cores},
                        {"limit", p.limit},
                        {"epochs", p.epochs},
                        {"repetitions", p.repetitions}};
    report["epoch"] = vision_bench(p, dir.path(), out, err);
    if (!p.json.empty()) {
      write_text(p.json, report.dump(2) + "\n");
      out << "results: " << p.json.string() << "\n";
    }
    return kExitOk;
  }
  nlohmann::json report = machine_json(p, cores);
  report["config"] = {{"model", "comet"},   {"dims", {784, p.width, p.width, p.width, 10}},
                      {"p_k", p.p_k},       {"limit", p.limit},
                      {"epochs", p.epochs}, {"repetitions", p.repetitions}};
  out << fmt::format(
      "COMET 784-{0}-{0}-{0}-10, p_k {1}, Fashion-MNIST first {2} images (80/20 split), SGD, "
      "{3} epoch(s) a run, {4} repetition(s)\n",
      p.width, p.p_k, p.limit, p.epochs, p.repetitions);

  const double gemm = engine::measure_gemm_gflops(p.device, p.gemm_size, 5);
  report["gemm_peak_gflops"] = gemm;
  report["gemm_size"] = p.gemm_size;
  out << fmt::format("GEMM peak: {0:.1f} GFLOP/s (fp32 {2}x{2}x{2}, {1} thread(s))\n", gemm, cores,
                     p.gemm_size)
      << std::flush;

  const auto variants = comet_variants(p.ablation);
  nlohmann::json epochs = nlohmann::json::array();
  std::vector<BatchResult> results;
  for (const auto batch : p.batches) {
    BatchResult r;
    r.batch = batch;
    r.comet.resize(variants.size());
    const auto sweep = epoch_sweep(p, batch);
    for (int rep = 1; rep <= p.repetitions; ++rep) {
      if (!p.peer.empty()) {
        r.peer_info = run_peer({p.python, p.peer, p.width, p.p_k, batch, p.limit, p.epochs});
        r.peer.push_back(r.peer_info.seconds_per_epoch);
        err << fmt::format("batch {} rep {}: peer  {:.3f} s/epoch\n", batch, rep, r.peer.back())
            << std::flush;
      }
      for (std::size_t v = 0; v < variants.size(); ++v) {
        ScopedEnvironment env(variants[v].environment);
        const auto db = run_sweep(p, dir.path(), "bench-b" + std::to_string(batch), sweep, 1);
        const auto times = comet_seconds_per_epoch(db);
        r.comet[v].push_back(times.all_epochs);
        if (v == 0) r.steady.push_back(times.after_first);
        err << fmt::format("batch {} rep {}: {} {:.3f} s/epoch\n", batch, rep, variants[v].name,
                           r.comet[v].back())
            << std::flush;
      }
    }
    epochs.push_back(epoch_json(p, r, gemm));
    results.push_back(std::move(r));
  }
  report["epoch"] = epochs;

  out << fmt::format("\n{:>5}  {:>12}  {:>13}  {:>10}  {:>12}  {:>11}\n", "batch", "peer s/epoch",
                     "comet s/epoch", "comet/peer", "comet GFLOP/s", "of GEMM peak");
  for (const auto& e : epochs) {
    const bool has_peer = e.contains("peer_median");
    out << fmt::format(
        "{:>5}  {:>12}  {:>13.3f}  {:>10}  {:>12.1f}  {:>10.0f}%\n", e["batch"].get<std::int64_t>(),
        has_peer ? fmt::format("{:.3f}", e["peer_median"].get<double>()) : "-",
        e["comet_median"].get<double>(),
        has_peer ? fmt::format("{:.3f}", e["ratio_comet_over_peer"].get<double>()) : "-",
        e["comet_gflops"].get<double>(), 100 * e["comet_fraction_of_gemm_peak"].get<double>());
  }
  out << "(medians over the repetitions; GFLOP/s: the GEMM work comet executes per epoch, routing "
         "counted once per example and trial)\n";
  for (const auto& e : epochs) {
    if (!e.contains("comet_steady_median")) continue;
    out << fmt::format(
        "batch {}: epochs after the first (masks cached, no routing) {:.3f} s, {:.1f} GFLOP/s, "
        "{:.0f}% of the GEMM peak\n",
        e["batch"].get<std::int64_t>(), e["comet_steady_median"].get<double>(),
        e["comet_steady_gflops"].get<double>(),
        100 * e["comet_steady_fraction_of_gemm_peak"].get<double>());
  }
  for (const auto& e : epochs) {
    if (!e.contains("ablation")) continue;
    out << fmt::format("\nbatch {}, what each shortcut buys (median s/epoch):\n",
                       e["batch"].get<std::int64_t>());
    for (const auto& a : e["ablation"]) {
      out << fmt::format("  {:<42} {:>8.3f}\n", a["variant"].get<std::string>(),
                         a["median"].get<double>());
    }
  }

  if (p.overhead_trials > 0) {
    const int jobs = std::max(1, std::min(2, cores));
    const auto t0 = Clock::now();
    const auto db = run_sweep(p, dir.path(), "overhead", overhead_sweep(p.overhead_trials), jobs);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto done = results::ResultStore::open_read_only(db).list_trials().size();
    const double write_us = epoch_write_microseconds(dir.path());
    report["overhead"] = {{"trials", p.overhead_trials},
                          {"trials_recorded", done},
                          {"workers", jobs},
                          {"seconds", seconds},
                          {"ms_per_trial", 1e3 * seconds / p.overhead_trials},
                          {"epoch_write_us", write_us}};
    out << fmt::format(
        "\norchestration: {} trivial trials through comet run ({} workers) and the database in "
        "{:.1f} s ({:.2f} ms a trial); an epoch's database write {:.3f} ms\n",
        p.overhead_trials, jobs, seconds, 1e3 * seconds / p.overhead_trials, write_us / 1e3);
  }
  if (!p.json.empty()) {
    write_text(p.json, report.dump(2) + "\n");
    out << "results: " << p.json.string() << "\n";
  }
  return kExitOk;
}

}  // namespace comet::cli
