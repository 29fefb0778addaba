#pragma once
// A MaskPolicy decorator that keeps the masks of the last forward pass, so tests can look at
// what any policy decided inside a real network.

#include <memory>
#include <vector>

#include "mask_policy.h"

namespace comet::models::testing {

class MaskRecorder : public MaskPolicy {
 public:
  explicit MaskRecorder(std::shared_ptr<MaskPolicy> inner)
      : inner_(register_module("inner", std::move(inner))) {}
  void begin(const torch::Tensor& input, const torch::Tensor& ids) override {
    masks.clear();
    inner_->begin(input, ids);
  }
  torch::Tensor mask(std::int64_t layer, const torch::Tensor& x, const torch::Tensor& a,
                     const torch::Tensor& y) override {
    auto m = inner_->mask(layer, x, a, y);
    masks.push_back(m.defined() ? m.clone() : m);
    return m;
  }
  std::vector<torch::Tensor> masks;  // per hidden layer; undefined where the policy gave none

 private:
  std::shared_ptr<MaskPolicy> inner_;
};

}  // namespace comet::models::testing
