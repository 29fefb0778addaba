#pragma once
// Private to cli/. Runs the performance peer (the authors' training loop re-expressed,
// peer_loop.py) as a child process and reads the summary line it prints.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace comet::cli {

struct PeerConfig {
  std::string python = "/usr/bin/python3";
  std::filesystem::path script;
  std::int64_t width = 1000;
  double p_k = 0.5;
  std::int64_t batch = 32;
  std::int64_t limit = 20000;
  int epochs = 3;
};

struct PeerResult {
  double seconds_per_epoch = 0;  // its own clock: training + validation, data loading excluded
  std::string device;            // "cpu", "cuda"
  std::string torch;             // the PyTorch version it ran on
  std::int64_t train_examples = 0;
  // peer_gpt.py: its training rate and model size (0 from the other peers).
  double tokens_per_second = 0;
  std::int64_t trainable_params = 0;
};

// Throws BenchError (bench_command.h) with the peer's last output when it fails or prints no
// summary.
PeerResult run_peer(const PeerConfig& config);
// Any peer that prints the same summary line (peer_vit.py, peer_gpt.py): `python script args...`.
PeerResult run_peer_script(const std::string& python, const std::filesystem::path& script,
                           const std::vector<std::string>& arguments);

// The summary line's fields; throws BenchError when `line` is not a peer summary.
PeerResult parse_peer_summary(const std::string& line);

// `text` quoted for /bin/sh.
std::string shell_quoted(const std::string& text);

}  // namespace comet::cli
