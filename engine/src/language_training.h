#pragma once
// Private to engine/. Step-based training of language models (arch gpt2 on a text corpus):
// micro-batches of token blocks, gradient accumulation, a record (evaluation) every eval_every
// optimizer steps, checkpoints at records, resumable mid-epoch (docs/engine.md, "Step-based
// training").

#include <cstdint>
#include <filesystem>

#include "trial_session.h"

#include "comet/engine/trainer.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::engine {

// How a language-model trial's steps fall, from its configuration and its training blocks.
struct StepPlan {
  std::int64_t micro_per_pass = 0;  // floor(blocks / batch_size): the last partial one is dropped
  std::int64_t total_steps = 0;     // floor(epochs * micro_per_pass / grad_accum), max_steps
  std::int64_t eval_every = 0;      // eval_every, or the steps of one pass (at least 1)
  int total_records = 0;            // ceil(total_steps / eval_every)
};
// Throws datasets::DatasetError when the blocks do not make one optimizer step.
StepPlan plan_steps(const sweeps::TrialConfig& config, std::int64_t train_blocks);

// Trains from session.position (fresh: zeros) to the plan's end, the time budget or a stop.
// checkpoint_file empty or checkpoint_every 0: no checkpoints are written.
TrialResult train_language_model(TrialSession& session, const sweeps::TrialSpec& trial,
                                 TrialObserver& observer,
                                 const std::filesystem::path& checkpoint_file,
                                 int checkpoint_every);

}  // namespace comet::engine
