#include "per_example_masks.h"

#include "example_hash.h"

namespace comet::models {

void BernoulliMask::begin(const torch::Tensor&, const torch::Tensor& example_ids) {
  ids_ = example_ids;
}

torch::Tensor BernoulliMask::mask(std::int64_t layer, const torch::Tensor&, const torch::Tensor&,
                                  const torch::Tensor& activation) {
  if (!is_training()) return {};
  return example_bernoulli_mask(seed_, layer, ids_, activation.size(1), p_)
      .to(activation.scalar_type());
}

void ExampleTiedMask::begin(const torch::Tensor&, const torch::Tensor& example_ids) {
  ids_ = example_ids;
}

torch::Tensor ExampleTiedMask::mask(std::int64_t layer, const torch::Tensor&, const torch::Tensor&,
                                    const torch::Tensor& activation) {
  const auto width = activation.size(1);
  auto generalisation = torch::arange(width, activation.options()).lt(kept_).unsqueeze(0);
  if (!is_training()) return generalisation.to(activation.scalar_type()).expand_as(activation);
  auto memorisation = example_bernoulli_mask(seed_, layer, ids_, width, p_).to(torch::kBool);
  return memorisation.logical_or(generalisation).to(activation.scalar_type());
}

}  // namespace comet::models
