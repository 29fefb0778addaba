#pragma once
// Private to engine/. A trial's checkpoint: everything that decides the rest of its curve
// (network parameters and buffers, optimizer state, the random generators) and the epochs it
// covers, so that a resumed trial continues bit for bit (docs/engine.md, "Checkpoints and
// resume").

#include <filesystem>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

#include "comet/models/network.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::engine {

// A checkpoint that cannot be written, read, or used for the trial at hand.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The checkpoint could not be put on disk (a full disk, a file size limit, a folder that cannot
// be written): a storage failure, not the trial's. The message names the file and the system's
// reason ("cannot write checkpoint /r.db.runs/ab12.ckpt.tmp: No space left on device").
class CheckpointWriteError : public CheckpointError {
 public:
  using CheckpointError::CheckpointError;
};

// The states of torch's default generators that a trial draws from without naming them:
// the CPU one (dropout on the CPU) and, on a CUDA device, that device's (dropout there).
struct GlobalGenerators {
  at::Tensor cpu;
  at::Tensor cuda;  // undefined unless the trial's device is CUDA

  static GlobalGenerators capture(const torch::Device& device);
  void apply(const torch::Device& device) const;
};

// The live objects of a running trial that a checkpoint saves and restores.
struct TrainingState {
  models::Network& network;
  torch::optim::Optimizer& optimizer;
  at::Generator data_order;  // a handle: it shares the trainer's generator
  torch::Device device;
};

// Where step-based training (arch gpt2) stands at a checkpoint, between two optimizer steps:
// `epoch` of the checkpoint then counts records (evaluations), and the data-order generator is
// saved as it was when the current pass over the data began, so that a resume draws that pass's
// order again and skips its first micro_in_pass micro-batches (mid-epoch resume, bit for bit).
struct StepPosition {
  std::int64_t step = 0;           // optimizer steps done
  std::int64_t pass = 0;           // 0-based pass over the training blocks
  std::int64_t micro_in_pass = 0;  // micro-batches of that pass already trained on
  double train_seconds = 0;        // training time so far, for max_hours
  double loss_scale = 0;           // fp16 on CUDA: the dynamic loss scale (0: none)
  std::int64_t good_steps = 0;     // fp16: steps since the scale last changed
};

// Writes the checkpoint of `trial` after `epoch` to `<file>.tmp`, fsyncs it and renames it over
// `file` (creating the folder), so a crash leaves the old checkpoint or the new one, never half
// of one; on failure the .tmp file is removed and the previous checkpoint stays. The global
// generators are read as they are now. Throws CheckpointWriteError.
void write_checkpoint(const std::filesystem::path& file, const sweeps::TrialSpec& trial, int epoch,
                      const TrainingState& state, const StepPosition* position = nullptr);

struct RestoredCheckpoint {
  int epoch = 0;  // epochs (records) the checkpoint covers; training continues with epoch + 1
  GlobalGenerators global;
  bool has_position = false;  // written by step-based training
  StepPosition position;
};

// Loads `file` into `state`, which must be freshly built for `trial`. Throws CheckpointError
// when the file is unreadable or truncated, was written for another trial or configuration or
// by another checkpoint format, or does not fit the network; `state` may then be partly
// overwritten and must be built again.
RestoredCheckpoint restore_checkpoint(const std::filesystem::path& file,
                                      const sweeps::TrialSpec& trial, TrainingState& state);

}  // namespace comet::engine
