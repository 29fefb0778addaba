#include "comet_routing.h"

#include <cmath>

#include "cap_mask.h"

#include "comet/models/network.h"

namespace comet::models {

CometRouting::CometRouting(const std::vector<std::int64_t>& dims, double p_k,
                           at::Generator& generator, Source source)
    : source_(source) {
  for (std::size_t l = 1; l < dims.size(); ++l) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(dims[l - 1]));
    auto v = torch::empty({dims[l], dims[l - 1]}).uniform_(-bound, bound, generator);
    // Built in two steps: GCC 12 -O3 warns falsely (stringop-overflow) on "V" + to_string(l).
    std::string name = "V";
    name += std::to_string(l);
    weights_.push_back(register_buffer(name, v));
    kept_.push_back(kept_units(p_k, dims[l]));
  }
}

void CometRouting::begin(const torch::Tensor& input, const torch::Tensor&) { z_ = input; }

torch::Tensor CometRouting::mask(std::int64_t layer, const torch::Tensor& layer_input,
                                 const torch::Tensor&, const torch::Tensor&) {
  // The routing network is fixed: no graph, no gradient, whatever the backbone does.
  torch::NoGradGuard no_grad;
  if (source_ == Source::backbone) {
    return cap_mask(torch::mm(layer_input, weights_[layer].t()), kept_[layer]);
  }
  auto c = torch::mm(z_, weights_[layer].t());  // eq. (4): c_l = V_l z_{l-1}
  auto m = cap_in_place(c, kept_[layer]);       // eq. (5), and (6) with g = identity: c <- c m
  z_ = c;
  return m.to(c.scalar_type());
}

std::vector<torch::Tensor> CometRouting::input_masks(const torch::Tensor& input) const {
  TORCH_CHECK(source_ == Source::routing_network,
              "input_masks: layerwise routing follows the "
              "backbone, its masks change as it trains");
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> masks;
  auto z = input;
  for (std::size_t l = 0; l < weights_.size(); ++l) {
    auto c = torch::mm(z, weights_[l].t());  // the same steps as mask(): eqs. (4)-(6)
    masks.push_back(cap_in_place(c, kept_[l]));
    z = c;
  }
  return masks;
}

}  // namespace comet::models
