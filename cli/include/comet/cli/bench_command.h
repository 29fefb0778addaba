#pragma once
// `comet bench`: comet's training loop side by side with the authors' loop (the peer,
// peer_loop.py) on one configuration, the GEMM rate it is measured against, and the cost of
// orchestration (trials through the scheduler and the database). docs/commands/bench.md.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace comet::cli {

struct BenchParams {
  // The peer script and the Python that runs it; an empty peer skips the comparison.
  std::filesystem::path peer = "../shared/bench/peer_loop.py";
  std::string python = "/usr/bin/python3";
  std::string device = "cpu";  // comet's device; the peer takes CUDA when it sees a GPU
  // What is measured. mlp: COMET 784-width-width-width-10 on Fashion-MNIST's first `limit`
  // training images (80 % train, 20 % validation), SGD lr 1e-3, softplus: peer_loop.py's
  // configuration. vit | mixer: a vision transformer of `dim`, `depth` blocks, `heads` x
  // `dim_head` (vit), `width` MLP units and patch `patch`, Adam lr 1e-3 with a cosine schedule,
  // tanh: peer_vit.py's configuration (the default peer becomes peer_vit.py beside
  // peer_loop.py). width 0: 1000 for mlp, 128 for vit and mixer.
  std::string arch = "mlp";
  std::string model = "comet";  // vit, mixer: comet or standard (the peer has both)
  std::int64_t dim = 64;
  std::int64_t depth = 2;
  std::int64_t heads = 4;
  std::int64_t dim_head = 16;
  std::int64_t patch = 4;
  std::int64_t width = 0;
  // gpt2: a GPT-2 of `dim` (n_embd), `depth` layers, `heads`, MLP `width` (0: 4 x dim), blocks
  // of `block` tokens, micro-batches of the first `batches` entry x `grad_accum`, `steps`
  // optimizer steps of AdamW with warm-up and cosine and clipping at 1.0, trained by comet on
  // `corpus` and by peer_gpt.py (the default peer beside peer_loop.py) on random ids of the
  // same vocabulary (the step costs the same); compared in tokens per second of training.
  std::int64_t block = 128;
  std::int64_t grad_accum = 1;
  int steps = 30;
  std::string corpus = "python_stdlib";
  // vit, mixer, gpt2: torch threads of both sides (the peer's --threads, comet's worker); 0: every
  // core.
  int threads = 0;
  double p_k = 0.5;
  std::vector<std::int64_t> batches{32, 128};
  std::int64_t limit = 20000;
  int epochs = 3;
  int repetitions = 3;  // per batch size, peer and comet alternating
  std::int64_t gemm_size = 2048;
  int overhead_trials = 10000;  // trivial trials through `comet run`; 0 skips
  // Also comet without its shortcuts (COMET_FUSED_SGD=0, then also COMET_MASK_CACHE_MB=0),
  // alternating with the others: what each one buys.
  bool ablation = false;
  std::filesystem::path json;       // where the results go as JSON; empty: nowhere
  std::filesystem::path work_dir;   // scratch databases and sweeps; empty: a temporary folder
  std::filesystem::path data_root;  // empty: COMET_DATA or the default
  // The program comet's runs start as `<program> worker`; empty: this process's executable.
  std::filesystem::path worker_executable;
};

// Prints progress to `err` as each measurement finishes and the summary to `out`. Throws
// UsageError for bad parameters and BenchError when a measured program fails.
int bench_command(const BenchParams& params, std::ostream& out, std::ostream& err);

class BenchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace comet::cli
