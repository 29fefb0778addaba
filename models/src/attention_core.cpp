#include "attention_core.h"

extern "C" {
// BLAS's Fortran sgemm (column-major), which every BLAS exports (LibTorch calls the same one).
void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
            const float* beta, float* c, const int* ldc);
}

namespace comet::models {

namespace {

// A batch of row-major matrices: group g = (o, i) with o = g / inner, i = g % inner starts at
// data + o * outer_stride + i * inner_stride; rows are `ld` floats apart.
struct Matrices {
  const float* data;
  std::int64_t outer_stride, inner_stride, ld;
  bool transposed = false;
  const float* at(std::int64_t g, std::int64_t inner) const {
    return data + (g / inner) * outer_stride + (g % inner) * inner_stride;
  }
};

// One row-major C = alpha op(A) op(B), op(A) [m, k], op(B) [k, n], for group 0 of each.
// Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T, hence the swapped operands.
void gemm(std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const Matrices& a,
          const Matrices& b, const Matrices& c) {
  const int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
  const int lda = static_cast<int>(a.ld), ldb = static_cast<int>(b.ld);
  const int ldc = static_cast<int>(c.ld);
  const float beta = 0.0f;
  sgemm_(b.transposed ? "T" : "N", a.transposed ? "T" : "N", &in, &im, &ik, &alpha, b.data, &ldb,
         a.data, &lda, &beta, const_cast<float*>(c.data), &ldc);
}

Matrices shifted(const Matrices& m, std::int64_t offset) {
  return {m.data + offset, m.outer_stride, m.inner_stride, m.ld, m.transposed};
}

// gemm for every group, the groups spread over the intra-op threads.
void batched_gemm(std::int64_t groups, std::int64_t inner, std::int64_t m, std::int64_t n,
                  std::int64_t k, float alpha, const Matrices& a, const Matrices& b,
                  const Matrices& c) {
  at::parallel_for(0, groups, 4, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t g = begin; g < end; ++g) {
      gemm(m, n, k, alpha, {a.at(g, inner), 0, 0, a.ld, a.transposed},
           {b.at(g, inner), 0, 0, b.ld, b.transposed}, {c.at(g, inner), 0, 0, c.ld});
    }
  });
}

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct AttentionFunction : public torch::autograd::Function<AttentionFunction> {
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& qkv, std::int64_t batch,
                               std::int64_t heads, double scale) {
    const auto n = qkv.size(0) / batch, hd = qkv.size(1) / 3, d = hd / heads;
    const auto groups = batch * heads;
    const float* base = qkv.data_ptr<float>();
    // q of (b, h) at row b n, column h d; k and v hd and 2 hd further; rows 3 hd apart.
    const Matrices q{base, n * 3 * hd, d, 3 * hd}, k{base + hd, n * 3 * hd, d, 3 * hd, true},
        v{base + 2 * hd, n * 3 * hd, d, 3 * hd};
    auto scores = torch::empty({groups, n, n}, qkv.options());
    batched_gemm(groups, heads, n, n, d, static_cast<float>(scale), q, k,
                 {scores.data_ptr<float>(), heads * n * n, n * n, n});
    auto attention = at::_softmax(scores, -1, false);
    auto out = torch::empty({batch * n, hd}, qkv.options());
    batched_gemm(groups, heads, n, d, n, 1.0f,
                 {attention.data_ptr<float>(), heads * n * n, n * n, n}, v,
                 {out.data_ptr<float>(), n * hd, d, hd});
    ctx->save_for_backward({qkv, attention});
    ctx->saved_data["batch"] = batch;
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["scale"] = scale;
    ctx->mark_non_differentiable({attention});
    return {out, attention};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& qkv = saved[0];
    const auto& attention = saved[1];
    const auto batch = ctx->saved_data["batch"].toInt(), heads = ctx->saved_data["heads"].toInt();
    const auto scale = static_cast<float>(ctx->saved_data["scale"].toDouble());
    const auto n = qkv.size(0) / batch, hd = qkv.size(1) / 3, d = hd / heads;
    const auto groups = batch * heads;
    const auto grad_out = grads[0].contiguous();
    const float* base = qkv.data_ptr<float>();
    const Matrices q{base, n * 3 * hd, d, 3 * hd}, k{base + hd, n * 3 * hd, d, 3 * hd},
        v{base + 2 * hd, n * 3 * hd, d, 3 * hd, true};
    const Matrices d_out{grad_out.data_ptr<float>(), n * hd, d, hd};
    const Matrices p_t{attention.data_ptr<float>(), heads * n * n, n * n, n, true};
    auto grad_qkv = torch::empty_like(qkv);
    float* g = grad_qkv.data_ptr<float>();
    const float* p = attention.data_ptr<float>();
    // Per (example, head), while its matrices are in cache: dP = dO v^T; dV = P^T dO;
    // dS = P (dP - rowsum(dP P)) (softmax's backward); dQ = scale dS k; dK = scale dS^T q.
    at::parallel_for(0, groups, 4, [&](std::int64_t begin, std::int64_t end) {
      std::vector<float> ds(static_cast<std::size_t>(n * n));
      const Matrices ds_one{ds.data(), 0, 0, n}, ds_one_t{ds.data(), 0, 0, n, true};
      for (std::int64_t grp = begin; grp < end; ++grp) {
        const auto one = [&](const Matrices& m) {
          return Matrices{m.at(grp, heads), 0, 0, m.ld, m.transposed};
        };
        const Matrices out_rows{g, n * 3 * hd, d, 3 * hd};
        gemm(n, n, d, 1.0f, one(d_out), one(v), ds_one);
        gemm(n, d, n, 1.0f, one(p_t), one(d_out), one(shifted(out_rows, 2 * hd)));
        const float* pg = p + grp * n * n;
        for (std::int64_t i = 0; i < n; ++i) {
          float* row = ds.data() + i * n;
          const float* prow = pg + i * n;
          float dot = 0;
          for (std::int64_t j = 0; j < n; ++j) dot += row[j] * prow[j];
          for (std::int64_t j = 0; j < n; ++j) row[j] = prow[j] * (row[j] - dot);
        }
        gemm(n, d, n, scale, ds_one, one(k), one(out_rows));
        gemm(n, d, n, scale, ds_one_t, one(q), one(shifted(out_rows, hd)));
      }
    });
    return {grad_qkv, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// Any device or dtype: the same computation with ATen's bmm.
std::array<torch::Tensor, 2> attention_with_bmm(const torch::Tensor& qkv, std::int64_t batch,
                                                std::int64_t heads, double scale) {
  const auto n = qkv.size(0) / batch, hd = qkv.size(1) / 3, d = hd / heads;
  auto parts =
      qkv.view({batch, n, 3, heads, d}).permute({2, 0, 3, 1, 4}).reshape({3, batch * heads, n, d});
  auto attention = torch::bmm(parts[0] * scale, parts[1].transpose(1, 2)).softmax(-1);
  auto out = torch::bmm(attention, parts[2])
                 .view({batch, heads, n, d})
                 .transpose(1, 2)
                 .reshape({batch * n, hd});
  return {out, attention.detach()};
}

}  // namespace

std::array<torch::Tensor, 2> multi_head_attention(const torch::Tensor& qkv, std::int64_t batch,
                                                  std::int64_t heads, double scale) {
  if (!qkv.device().is_cpu() || qkv.scalar_type() != torch::kFloat32 || !qkv.is_contiguous()) {
    return attention_with_bmm(qkv, batch, heads, scale);
  }
  auto out = AttentionFunction::apply(qkv, batch, heads, scale);
  return {out[0], out[1]};
}

}  // namespace comet::models
