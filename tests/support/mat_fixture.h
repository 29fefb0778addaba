#pragma once
// Writes small MATLAB v5 .mat files with libmatio itself (SVHN format 2, SARCOS).

#include <matio.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace comet::testing {

struct MatVariable {
  std::string name;
  matio_classes class_type;
  matio_types data_type;
  std::vector<std::size_t> dims;
  const void* data;
  const void* imaginary = nullptr;  // set: a complex variable
};

// `compress`: zlib-compressed variables, as MATLAB's default -v7 writes them.
inline void write_mat(const std::filesystem::path& path, const std::vector<MatVariable>& vars,
                      bool compress = false) {
  mat_t* mat = Mat_CreateVer(path.string().c_str(), nullptr, MAT_FT_MAT5);
  if (mat == nullptr) throw std::runtime_error("cannot create " + path.string());
  for (const auto& v : vars) {
    auto dims = v.dims;
    mat_complex_split_t split{const_cast<void*>(v.data), const_cast<void*>(v.imaginary)};
    matvar_t* var = Mat_VarCreate(
        v.name.c_str(), v.class_type, v.data_type, static_cast<int>(dims.size()), dims.data(),
        v.imaginary ? static_cast<void*>(&split) : const_cast<void*>(v.data),
        (v.imaginary ? MAT_F_COMPLEX : 0) | MAT_F_DONT_COPY_DATA);
    if (var == nullptr) throw std::runtime_error("cannot create variable " + v.name);
    Mat_VarWrite(mat, var, compress ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE);
    Mat_VarFree(var);
  }
  Mat_Close(mat);
}

// SVHN pixel (row r, column c, channel ch) of image n.
inline std::uint8_t svhn_pixel(std::size_t n, std::size_t r, std::size_t c, std::size_t ch) {
  return static_cast<std::uint8_t>((n * 17 + r * 5 + c * 11 + ch * 89) % 256);
}

// X in MATLAB's column-major order: (r, c, ch, n) at r + 32c + 1024ch + 3072n.
inline std::vector<std::uint8_t> svhn_images(std::size_t n) {
  std::vector<std::uint8_t> x(n * 3072);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t ch = 0; ch < 3; ++ch) {
      for (std::size_t c = 0; c < 32; ++c) {
        for (std::size_t r = 0; r < 32; ++r) {
          x[r + 32 * c + 1024 * ch + 3072 * i] = svhn_pixel(i, r, c, ch);
        }
      }
    }
  }
  return x;
}

// An SVHN format-2 file with labels.size() images and y stored as doubles, as published.
inline void write_svhn_file(const std::filesystem::path& path, const std::vector<double>& labels,
                            bool compress = false) {
  const auto x = svhn_images(labels.size());
  write_mat(path,
            {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, labels.size()}, x.data()},
             {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {labels.size(), 1}, labels.data()}},
            compress);
}

// SARCOS value of row i, column j (both 0-based): exact in float, different in every cell.
inline double sarcos_value(std::size_t i, std::size_t j, double offset) {
  return offset + static_cast<double>((i + 1) * 100 + (j + 1));
}

// A rows x cols double matrix named `name`, column-major.
inline void write_sarcos_file(const std::filesystem::path& path, const std::string& name,
                              std::size_t rows, std::size_t cols, double offset) {
  std::vector<double> values(rows * cols);
  for (std::size_t j = 0; j < cols; ++j) {
    for (std::size_t i = 0; i < rows; ++i) values[i + rows * j] = sarcos_value(i, j, offset);
  }
  write_mat(path, {{name, MAT_C_DOUBLE, MAT_T_DOUBLE, {rows, cols}, values.data()}});
}

}  // namespace comet::testing
