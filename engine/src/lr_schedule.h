#pragma once
// Private to engine/. The learning rate of every optimizer step (torch-free, so it is tested
// as plain arithmetic).

#include <cstdint>
#include <string>

namespace comet::engine {

struct LrSchedule {
  std::string kind = "constant";  // constant | cosine | warmup_cosine
  double base_lr = 0;
  std::int64_t total_steps = 1;   // epochs * steps per epoch
  std::int64_t warmup_steps = 0;  // warmup_cosine only

  // The rate for step `step` (0-based, before the update):
  //   constant       base
  //   cosine         base * (1 + cos(pi * step / total)) / 2, decaying to 0 at the end
  //   warmup_cosine  base * (step + 1) / warmup during the first `warmup` steps, then the
  //                  cosine over the remaining total - warmup steps
  // (the shape of transformers' get_cosine_schedule_with_warmup, which the paper's GPT-2 runs
  // used).
  double at(std::int64_t step) const;
};

}  // namespace comet::engine
