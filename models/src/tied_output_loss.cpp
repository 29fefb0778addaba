#include "tied_output_loss.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace comet::models {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct LossAndGradients {
  torch::Tensor loss;    // float scalar: the mean over rows
  torch::Tensor dh, dw;  // d loss / d h and d loss / d weight; undefined without gradients
};

// A row's max, with 16 partial maxima so that the compiler vectorises it.
__attribute__((target_clones("avx512f", "avx2", "default"))) float row_max(const float* x,
                                                                           std::int64_t n) {
  constexpr int kLanes = 16;
  float lane[kLanes];
  for (int j = 0; j < kLanes; ++j) lane[j] = x[0];
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) lane[j] = x[i + j] > lane[j] ? x[i + j] : lane[j];
  }
  float m = lane[0];
  for (int j = 1; j < kLanes; ++j) m = lane[j] > m ? lane[j] : m;
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// exp(v) for v <= 0 in straight-line float code the compiler vectorises: Cephes' expf (range
// reduction by ln 2 in two parts, a degree-5 polynomial, 2^n through the exponent bits),
// relative error ~1e-7; below -87 (where expf leaves the normal range) 0.
inline float exp_non_positive(float v) {
  const bool tiny = v < -87.0f;
  v = tiny ? -87.0f : v;
  const float t = v * 1.44269504088896341f + 0.5f;
  int n = static_cast<int>(t);  // truncation; floor for t < 0 below
  n = static_cast<float>(n) > t ? n - 1 : n;
  const float fn = static_cast<float>(n);
  float r = v - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  std::int32_t bits = (n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return tiny ? 0.0f : y * scale;
}

// x <- exp(x - max) in place; returns the row's sum (16 partial sums: vectorised, and more
// accurate than one running sum over 50,257 terms).
__attribute__((target_clones("avx512f", "avx2", "default"))) double exp_shifted_in_place(
    float* x, std::int64_t n, float max) {
  constexpr int kLanes = 16;
  float lane[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) {
      const float e = exp_non_positive(x[i + j] - max);
      x[i + j] = e;
      lane[j] += e;
    }
  }
  double sum = 0;
  for (; i < n; ++i) {
    x[i] = exp_non_positive(x[i] - max);
    sum += x[i];
  }
  for (int j = 0; j < kLanes; ++j) sum += lane[j];
  return sum;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void scale_in_place(float* x,
                                                                                 std::int64_t n,
                                                                                 float factor) {
  for (std::int64_t i = 0; i < n; ++i) x[i] *= factor;
}

// CPU, float: each row of the chunk's logits (201 KB at vocab 50,257) is finished while it is
// in the core's cache: max, exp(x - max) in place with its sum, then the gradient row
// (softmax - onehot) / rows in place. Whole-chunk ATen passes would stream the 25.7 MB chunk
// through memory five times instead of once (and, per row, ATen's op overhead dominated: 1 ms
// a row). Returns the chunk's loss sum.
double finish_rows_in_cache(torch::Tensor& logits, const torch::Tensor& targets,
                            std::int64_t total_rows, bool with_gradient) {
  const auto rows = logits.size(0), vocab = logits.size(1);
  std::vector<double> row_loss(static_cast<std::size_t>(rows));
  const std::int64_t* target = targets.data_ptr<std::int64_t>();
  float* base = logits.data_ptr<float>();
  const float inv_rows = 1.0f / static_cast<float>(total_rows);
  at::parallel_for(0, rows, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      float* x = base + r * vocab;
      const float target_logit = x[target[r]];
      const float max = row_max(x, vocab);
      const double sum = exp_shifted_in_place(x, vocab, max);
      row_loss[static_cast<std::size_t>(r)] =
          std::log(sum) + static_cast<double>(max) - static_cast<double>(target_logit);
      if (with_gradient) {
        scale_in_place(x, vocab, static_cast<float>(1.0 / sum) * inv_rows);
        x[target[r]] -= inv_rows;
      }
    }
  });
  double total = 0;
  for (double l : row_loss) total += l;
  return total;
}

LossAndGradients cpu_float_loss(const torch::Tensor& h, const torch::Tensor& weight,
                                const torch::Tensor& targets, std::int64_t chunk_rows,
                                bool with_gradients) {
  const auto rows = h.size(0), vocab = weight.size(0);
  LossAndGradients out;
  if (with_gradients) {
    out.dh = torch::empty_like(h);
    out.dw = torch::empty_like(weight);
  }
  auto buffer = torch::empty({std::min(chunk_rows, rows), vocab}, h.options());
  double loss_sum = 0;
  for (std::int64_t start = 0; start < rows; start += chunk_rows) {
    const auto n = std::min(chunk_rows, rows - start);
    auto logits = buffer.narrow(0, 0, n);
    const auto h_chunk = h.narrow(0, start, n);
    at::mm_out(logits, h_chunk, weight.t());
    loss_sum += finish_rows_in_cache(logits, targets.narrow(0, start, n), rows, with_gradients);
    if (!with_gradients) continue;
    auto dh_chunk = out.dh.narrow(0, start, n);
    at::mm_out(dh_chunk, logits, weight);
    if (start == 0) {
      at::mm_out(out.dw, logits.t(), h_chunk);
    } else {
      out.dw.addmm_(logits.t(), h_chunk);
    }
  }
  out.loss = torch::full({}, loss_sum / static_cast<double>(rows), h.options());
  return out;
}

// Any device and dtype (CUDA, autocast's half): whole-chunk ATen ops, softmax in float; the
// GEMMs in the type the logits' GEMM ran in (autocast's choice), dW accumulated in float.
LossAndGradients generic_loss(const torch::Tensor& h, const torch::Tensor& weight,
                              const torch::Tensor& targets, std::int64_t chunk_rows,
                              bool with_gradients) {
  const auto rows = h.size(0);
  LossAndGradients out;
  if (with_gradients) {
    out.dh = torch::empty_like(h);
    out.dw = torch::zeros(weight.sizes(), weight.options().dtype(torch::kFloat32));
  }
  auto loss_sum = torch::zeros({}, h.options().dtype(torch::kFloat64));
  for (std::int64_t start = 0; start < rows; start += chunk_rows) {
    const auto n = std::min(chunk_rows, rows - start);
    const auto h_chunk = h.narrow(0, start, n);
    const auto t_chunk = targets.narrow(0, start, n).unsqueeze(1);
    const auto raw = at::mm(h_chunk, weight.t());
    auto log_p = at::log_softmax(raw.to(torch::kFloat32), 1);
    loss_sum -= log_p.gather(1, t_chunk).sum().to(torch::kFloat64);
    if (!with_gradients) continue;
    auto g = log_p.exp_().div_(static_cast<double>(rows));
    g.scatter_add_(1, t_chunk, torch::full({n, 1}, -1.0 / static_cast<double>(rows), g.options()));
    const auto g_typed = g.to(raw.scalar_type());
    out.dh.narrow(0, start, n).copy_(at::mm(g_typed, weight.to(raw.scalar_type())));
    out.dw.add_(at::mm(g_typed.t(), h_chunk.to(raw.scalar_type())));
  }
  out.loss = (loss_sum / static_cast<double>(rows)).to(torch::kFloat32);
  if (with_gradients) out.dw = out.dw.to(weight.scalar_type());
  return out;
}

LossAndGradients loss_and_gradients(const torch::Tensor& h, const torch::Tensor& weight,
                                    const torch::Tensor& targets, std::int64_t chunk_rows,
                                    bool with_gradients) {
  const bool cpu_float = h.device().is_cpu() && h.scalar_type() == torch::kFloat32 &&
                         weight.scalar_type() == torch::kFloat32 && h.is_contiguous() &&
                         weight.is_contiguous();
  if (cpu_float) return cpu_float_loss(h, weight, targets, chunk_rows, with_gradients);
  return generic_loss(h, weight, targets, chunk_rows, with_gradients);
}

// The gradients are computed in forward (the loss is a scalar: the chain rule only scales
// them), so backward is two multiplies.
struct TiedLossFunction : public torch::autograd::Function<TiedLossFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& h,
                               const torch::Tensor& weight, const torch::Tensor& targets,
                               std::int64_t chunk_rows) {
    auto out = loss_and_gradients(h, weight, targets, chunk_rows, true);
    ctx->save_for_backward({out.dh, out.dw});
    return out.loss;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& g = grads[0];
    return {saved[0] * g.to(saved[0].scalar_type()), saved[1] * g.to(saved[1].scalar_type()),
            torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor tied_next_token_loss(const torch::Tensor& h, const torch::Tensor& weight,
                                   const torch::Tensor& targets, std::int64_t chunk_rows) {
  TORCH_CHECK(h.dim() == 2 && weight.dim() == 2 && h.size(1) == weight.size(1),
              "tied_next_token_loss: h [rows, dim] and weight [vocab, dim] expected");
  TORCH_CHECK(
      targets.dim() == 1 && targets.size(0) == h.size(0) && targets.scalar_type() == torch::kInt64,
      "tied_next_token_loss: int64 targets [rows] expected");
  TORCH_CHECK(chunk_rows >= 1 && h.size(0) >= 1, "tied_next_token_loss: no rows");
  const auto t = targets.contiguous();
  // The CPU path reads logits at the target index: an id outside [0, vocab) must not get there.
  TORCH_CHECK(t.min().item<std::int64_t>() >= 0 && t.max().item<std::int64_t>() < weight.size(0),
              "tied_next_token_loss: a target is outside [0, ", weight.size(0), ")");
  const bool wants_gradients =
      torch::GradMode::is_enabled() && (h.requires_grad() || weight.requires_grad());
  if (!wants_gradients) return loss_and_gradients(h, weight, t, chunk_rows, false).loss;
  return TiedLossFunction::apply(h, weight, t, chunk_rows);
}

}  // namespace comet::models
