#pragma once
// /work/shared/bench/peer_vit.py's ViT and Mixer re-expressed op for op in LibTorch (same
// modules, same ATen calls: matmul on [b, h, n, d], softmax, nn.Dropout, topk + >= for the cap),
// so vision_step_bench can time the peer's computation beside comet's on the same machine at
// the same moment. Without Python's per-op overhead it is, if anything, faster than the peer.

#include <cmath>
#include <memory>
#include <vector>

#include <torch/torch.h>

namespace comet::bench {

namespace nn = torch::nn;

struct PeerFeedForward : nn::Module {
  PeerFeedForward(std::int64_t dim, std::int64_t hidden, double dropout, bool comet, double p_k)
      : fc1(register_module("fc1", nn::Linear(dim, hidden))),
        fc2(register_module("fc2", nn::Linear(hidden, dim))),
        dropout(dropout),
        comet(comet),
        p_k(p_k) {
    if (comet) {
      route = register_module("route", nn::Linear(nn::LinearOptions(dim, hidden).bias(false)));
      route->weight.requires_grad_(false);
    }
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto h = torch::tanh(fc1(x));
    if (comet) {
      torch::NoGradGuard no_grad;
      auto c = route(x);
      const auto k = static_cast<std::int64_t>(std::floor(p_k * c.size(-1) + 1e-9));
      auto threshold = std::get<0>(c.topk(k, -1)).narrow(-1, k - 1, 1);
      h = h * c.ge(threshold).to(c.scalar_type());
    }
    h = torch::dropout(h, dropout, is_training());
    return torch::dropout(fc2(h), dropout, is_training());
  }
  nn::Linear fc1, fc2, route{nullptr};
  double dropout;
  bool comet;
  double p_k;
};

struct PeerAttention : nn::Module {
  PeerAttention(std::int64_t dim, std::int64_t heads, std::int64_t dim_head, double dropout)
      : qkv(register_module("qkv",
                            nn::Linear(nn::LinearOptions(dim, 3 * heads * dim_head).bias(false)))),
        out(register_module("out", nn::Linear(heads * dim_head, dim))),
        heads(heads),
        scale(std::pow(static_cast<double>(dim_head), -0.5)),
        dropout(dropout) {}
  torch::Tensor forward(const torch::Tensor& x) {
    const auto b = x.size(0), n = x.size(1);
    auto parts = qkv(x).chunk(3, -1);
    for (auto& t : parts) t = t.view({b, n, heads, -1}).transpose(1, 2);
    auto attention = (torch::matmul(parts[0], parts[1].transpose(-1, -2)) * scale).softmax(-1);
    auto o = torch::matmul(attention, parts[2]).transpose(1, 2).reshape({b, n, -1});
    return torch::dropout(out(o), dropout, is_training());
  }
  nn::Linear qkv, out;
  std::int64_t heads;
  double scale, dropout;
};

inline torch::Tensor peer_patches(const torch::Tensor& img, std::int64_t p) {
  const auto b = img.size(0), c = img.size(1), h = img.size(2), w = img.size(3);
  return img.view({b, c, h / p, p, w / p, p})
      .permute({0, 2, 4, 3, 5, 1})
      .reshape({b, (h / p) * (w / p), p * p * c});
}

// arch "vit" or "mixer" on 1x28x28, the peer's defaults; comet or standard MLPs.
struct PeerNet : nn::Module {
  PeerNet(bool vit, bool comet, std::int64_t dim, std::int64_t depth, std::int64_t heads,
          std::int64_t dim_head, std::int64_t width, std::int64_t patch, double p_k)
      : vit(vit),
        patch(patch),
        embed(register_module("embed", nn::Linear(patch * patch, dim))),
        head_norm(register_module("head_norm", nn::LayerNorm(nn::LayerNormOptions({dim})))),
        head(register_module("head", nn::Linear(dim, 10))) {
    const auto n = (28 / patch) * (28 / patch);
    if (vit) {
      pos = register_parameter("pos", torch::randn({1, n + 1, dim}));
      cls = register_parameter("cls", torch::randn({1, 1, dim}));
    }
    for (std::int64_t l = 0; l < depth; ++l) {
      const auto s = std::to_string(l);
      norms.push_back(register_module("ln1_" + s, nn::LayerNorm(nn::LayerNormOptions({dim}))));
      norms.push_back(register_module("ln2_" + s, nn::LayerNorm(nn::LayerNormOptions({dim}))));
      if (vit) {
        attentions.push_back(register_module(
            "attn" + s, std::make_shared<PeerAttention>(dim, heads, dim_head, 0.1)));
      } else {
        mlps.push_back(register_module(
            "tok" + s, std::make_shared<PeerFeedForward>(n, 4 * n, 0.1, comet, p_k)));
      }
      mlps.push_back(register_module(
          "ff" + s, std::make_shared<PeerFeedForward>(dim, width, 0.1, comet, p_k)));
    }
  }
  torch::Tensor forward(const torch::Tensor& flat) {
    auto x = embed(peer_patches(flat.view({flat.size(0), 1, 28, 28}), patch));
    if (vit) {
      x = torch::cat({cls.expand({x.size(0), -1, -1}), x}, 1) + pos;
      x = torch::dropout(x, 0.1, is_training());
      for (std::size_t l = 0; l < attentions.size(); ++l) {
        x = attentions[l]->forward(norms[2 * l](x)) + x;
        x = mlps[l]->forward(norms[2 * l + 1](x)) + x;
      }
      return head(head_norm(x.select(1, 0)));
    }
    for (std::size_t l = 0; l < norms.size() / 2; ++l) {
      x = mlps[2 * l]->forward(norms[2 * l](x).transpose(1, 2)).transpose(1, 2) + x;
      x = mlps[2 * l + 1]->forward(norms[2 * l + 1](x)) + x;
    }
    return head(head_norm(x).mean(1));
  }
  bool vit;
  std::int64_t patch;
  nn::Linear embed;
  nn::LayerNorm head_norm;
  nn::Linear head;
  torch::Tensor pos, cls;
  std::vector<nn::LayerNorm> norms;
  std::vector<std::shared_ptr<PeerAttention>> attentions;
  std::vector<std::shared_ptr<PeerFeedForward>> mlps;
};

}  // namespace comet::bench
