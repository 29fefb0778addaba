#include "mat_reader.h"

#include <matio.h>
#include <zlib.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace comet::datasets {

namespace {

struct MatCloser {
  void operator()(mat_t* mat) const { Mat_Close(mat); }
};
struct VarFreer {
  void operator()(matvar_t* var) const { Mat_VarFree(var); }
};
using MatVar = std::unique_ptr<matvar_t, VarFreer>;

// Refuses variables of more than 2^32 values before matio allocates them (SVHN's train X has
// 225 million).
constexpr std::size_t kMaxElements = std::size_t{1} << 32;

// Indexed by matio_classes, which numbers MATLAB's array classes 0..17.
std::string class_name(matio_classes c) {
  static const char* const names[] = {
      "empty",  "cell array", "struct", "object", "char array", "sparse matrix",
      "double", "single",     "int8",   "uint8",  "int16",      "uint16",
      "int32",  "uint32",     "int64",  "uint64", "function",   "opaque"};
  const auto i = static_cast<std::size_t>(c);
  return i < std::size(names) ? names[i] : "class " + std::to_string(i);
}

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string dims_text(const matvar_t& var) {
  std::string out;
  for (int d = 0; d < var.rank; ++d) out += (d ? "x" : "") + std::to_string(var.dims[d]);
  return out.empty() ? "no dimensions" : out;
}

struct InflateEnder {
  void operator()(z_stream* stream) const { inflateEnd(stream); }
};

// Inflates `bytes` bytes of `in` to nowhere; false unless the zlib stream ends cleanly, which
// also verifies its Adler-32 checksum.
bool inflates_cleanly(std::ifstream& in, std::uint64_t bytes) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return false;
  const std::unique_ptr<z_stream, InflateEnder> end(&stream);
  std::vector<unsigned char> input(1 << 20), output(1 << 20);
  int status = Z_OK;
  while (bytes > 0 && status != Z_STREAM_END) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, input.size()));
    if (!in.read(reinterpret_cast<char*>(input.data()), static_cast<std::streamsize>(n))) {
      return false;
    }
    bytes -= n;
    stream.next_in = input.data();
    stream.avail_in = static_cast<uInt>(n);
    do {
      stream.next_out = output.data();
      stream.avail_out = static_cast<uInt>(output.size());
      status = inflate(&stream, Z_NO_FLUSH);
      if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) return false;
    } while (stream.avail_out == 0 && status != Z_STREAM_END);
  }
  return status == Z_STREAM_END;
}

// matio hands back whatever it could read of a variable cut short, or of a corrupt compressed
// one, without an error (zero-filled data). So a v5 file's layout is checked first: a 128-byte
// header, then top-level data elements, each an 8-byte tag (type, byte count) and that many
// bytes, the last ending at the end of the file. Other versions (v4; v7.3, which is HDF5 with
// checks of its own) are left to matio.
void check_mat5_layout(const std::filesystem::path& path) {
  auto fail = [&](const std::string& what) { return DatasetError(path.string() + ": " + what); };
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 128> header{};
  if (!in.read(reinterpret_cast<char*>(header.data()), header.size())) return;
  // Bytes 124-125 hold the version, 126-127 "IM" written by a little-endian machine.
  const bool little = header[126] == 'I' && header[127] == 'M';
  if (!little && !(header[126] == 'M' && header[127] == 'I')) return;
  auto u32 = [&](const unsigned char* p) {
    return little ? std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                        std::uint32_t{p[3]} << 24
                  : std::uint32_t{p[3]} | std::uint32_t{p[2]} << 8 | std::uint32_t{p[1]} << 16 |
                        std::uint32_t{p[0]} << 24;
  };
  const unsigned version = little ? header[124] | header[125] << 8 : header[124] << 8 | header[125];
  if (version != 0x0100) return;

  const std::uint64_t size = std::filesystem::file_size(path);
  for (std::uint64_t pos = 128; pos < size;) {
    std::array<unsigned char, 8> tag{};
    if (size - pos < tag.size() || !in.seekg(static_cast<std::streamoff>(pos)) ||
        !in.read(reinterpret_cast<char*>(tag.data()), tag.size())) {
      throw fail("truncated: " + std::to_string(size - pos) + " stray bytes at the end");
    }
    const auto type = u32(tag.data());
    const std::uint64_t bytes = u32(tag.data() + 4);
    const auto where = "the variable at byte " + std::to_string(pos);
    if (type != 14 && type != 15) {  // miMATRIX, miCOMPRESSED
      throw fail("malformed: " + where + " has data type " + std::to_string(type) +
                 ", expected 14 (matrix) or 15 (compressed)");
    }
    if (bytes > size - pos - tag.size()) {
      throw fail("truncated: " + where + " announces " + std::to_string(bytes) +
                 " bytes, the file holds " + std::to_string(size - pos - tag.size()) + " more");
    }
    if (type == 15 && !inflates_cleanly(in, bytes)) {
      throw fail("corrupt: " + where + " is not a complete zlib stream");
    }
    pos += tag.size() + bytes;
  }
}

// One open .mat file; every error names the file and, where there is one, the variable.
class MatFile {
 public:
  explicit MatFile(std::filesystem::path path) : path_(std::move(path)) {
    // matio logs nothing unless Mat_LogInit is called, and returns NULL for anything it cannot
    // parse: a missing file, garbage, a MAT header cut short.
    mat_.reset(Mat_Open(path_.string().c_str(), MAT_ACC_RDONLY));
    if (!mat_) {
      throw DatasetError(path_.string() + ": cannot open as a MATLAB .mat file (corrupt?)");
    }
    check_mat5_layout(path_);
  }

  DatasetError fail(const std::string& variable, const std::string& what) const {
    return DatasetError(path_.string() + ": variable '" + variable + "': " + what);
  }

  // The header of `variable`, checked to be a real array of class `expected` (or `also`).
  MatVar info(const std::string& variable, matio_classes expected,
              matio_classes also = MAT_C_EMPTY) const {
    MatVar var(Mat_VarReadInfo(mat_.get(), variable.c_str()));
    if (!var) throw fail(variable, "missing; the file holds " + variable_names());
    if (var->class_type != expected && (also == MAT_C_EMPTY || var->class_type != also)) {
      throw fail(variable, "is " + class_name(var->class_type) + ", expected " +
                               class_name(expected) +
                               (also == MAT_C_EMPTY ? "" : " or " + class_name(also)));
    }
    if (var->isComplex) throw fail(variable, "holds complex numbers, expected real");
    return var;
  }

  // Reads the data of a variable already checked by info() and with `elements` values.
  MatVar data(const std::string& variable, std::size_t elements) const {
    MatVar var(Mat_VarRead(mat_.get(), variable.c_str()));
    // Mat_VarRead converts to the variable's class, whatever type the file stores it in.
    if (!var || var->data == nullptr || var->data_size <= 0 ||
        var->nbytes != elements * static_cast<std::size_t>(var->data_size)) {
      throw fail(variable, "cannot read its data (corrupt or truncated file)");
    }
    return var;
  }

  std::size_t checked_elements(const matvar_t& var, const std::string& variable) const {
    std::size_t elements = 1;
    for (int d = 0; d < var.rank; ++d) {
      if (var.dims[d] != 0 && elements > kMaxElements / var.dims[d]) {
        throw fail(variable, "implausibly large (" + dims_text(var) + ")");
      }
      elements *= var.dims[d];
    }
    if (elements == 0) throw fail(variable, "is empty (" + dims_text(var) + ")");
    return elements;
  }

 private:
  std::string variable_names() const {
    std::string names;
    Mat_Rewind(mat_.get());
    while (MatVar var{Mat_VarReadNextInfo(mat_.get())}) {
      names += (names.empty() ? "" : ", ") + std::string(var->name ? var->name : "?");
    }
    return names.empty() ? "no readable variables" : "only: " + names;
  }

  std::filesystem::path path_;
  std::unique_ptr<mat_t, MatCloser> mat_;
};

// SVHN: X is 32x32x3xN uint8 in MATLAB's column-major order, element (r, c, ch, n) at
// r + 32c + 1024ch + 3072n; y holds N labels 1..10, where 10 stands for the digit 0.
RawTable read_svhn_file(const std::filesystem::path& path) {
  const MatFile file(path);
  const auto x_info = file.info("X", MAT_C_UINT8);
  // MATLAB drops trailing singleton dimensions, so a one-image file has rank 3.
  const bool shape_ok = (x_info->rank == 4 || x_info->rank == 3) && x_info->dims[0] == 32 &&
                        x_info->dims[1] == 32 && x_info->dims[2] == 3;
  if (!shape_ok) throw file.fail("X", "is " + dims_text(*x_info) + ", expected 32x32x3xN");
  const std::size_t elements = file.checked_elements(*x_info, "X");
  const std::size_t n = elements / 3072;

  const auto y_info = file.info("y", MAT_C_DOUBLE, MAT_C_UINT8);
  if (y_info->rank != 2 || y_info->dims[0] != n || y_info->dims[1] != 1) {
    throw file.fail("y", "is " + dims_text(*y_info) + ", expected " + std::to_string(n) +
                             "x1 (one label per image of X)");
  }

  RawTable table;
  table.rows = static_cast<std::int64_t>(n);
  table.cols = 3072;
  table.labels.resize(n);
  const auto y = file.data("y", n);
  for (std::size_t i = 0; i < n; ++i) {
    const double label = y->class_type == MAT_C_DOUBLE
                             ? static_cast<const double*>(y->data)[i]
                             : static_cast<const std::uint8_t*>(y->data)[i];
    if (!(label >= 1 && label <= 10 && label == std::floor(label))) {
      throw file.fail("y", "example " + std::to_string(i) + ": label " + number_text(label) +
                               " is not an integer 1..10");
    }
    table.labels[i] = label == 10 ? 0 : static_cast<std::int64_t>(label);
  }

  const auto x = file.data("X", elements);
  const auto* src = static_cast<const std::uint8_t*>(x->data);
  table.bytes.resize(elements);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t* row = table.bytes.data() + i * 3072;
    for (std::size_t ch = 0; ch < 3; ++ch) {
      for (std::size_t c = 0; c < 32; ++c) {
        for (std::size_t r = 0; r < 32; ++r) {
          row[ch * 1024 + r * 32 + c] = src[r + 32 * c + 1024 * ch + 3072 * i];
        }
      }
    }
  }
  return table;
}

// SARCOS: one N x 28 double matrix (column-major); columns 1-21 inputs, 22-28 the torques.
RawTable read_sarcos_file(const std::filesystem::path& path, const std::string& variable,
                          int target) {
  const MatFile file(path);
  const auto info = file.info(variable, MAT_C_DOUBLE);
  if (info->rank != 2 || info->dims[1] != 28) {
    throw file.fail(
        variable, "is " + dims_text(*info) + ", expected N x 28 (21 inputs, then 7 joint torques)");
  }
  const std::size_t elements = file.checked_elements(*info, variable);
  const std::size_t n = info->dims[0];
  const auto var = file.data(variable, elements);
  const auto* values = static_cast<const double*>(var->data);
  for (std::size_t i = 0; i < elements; ++i) {
    // A NaN or infinity would poison the per-feature normalisation.
    if (!std::isfinite(values[i])) {
      throw file.fail(variable, "row " + std::to_string(i % n + 1) + ", column " +
                                    std::to_string(i / n + 1) + " is not a finite number");
    }
  }
  RawTable table;
  table.rows = static_cast<std::int64_t>(n);
  table.cols = 21;
  table.floats.resize(n * 21);
  table.targets.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < 21; ++j) {
      table.floats[i * 21 + j] = static_cast<float>(values[i + n * j]);
    }
    // Torque k (1-based) is column 21 + k (1-based), i.e. 0-based column 20 + k.
    table.targets[i] = static_cast<float>(values[i + n * (20 + static_cast<std::size_t>(target))]);
  }
  return table;
}

}  // namespace

RawData read_svhn(const ReaderContext& context) {
  const auto train_path = find_data_file(context, "train_32x32.mat");
  const auto test_path = find_data_file(context, "test_32x32.mat");
  RawData out;
  out.task = Task::classification;
  out.outputs = 10;
  out.train = read_svhn_file(train_path);
  out.test = read_svhn_file(test_path);
  out.files = {train_path, test_path};
  out.normalisation.scale = 1.0 / 255.0;
  out.normalisation.channels = 3;
  out.normalisation.mean = {0.4377, 0.4438, 0.4728};
  out.normalisation.stddev = {0.1980, 0.2010, 0.1970};
  out.normalisation.source = "published per-channel constants";
  out.image_shape = {3, 32, 32};  // read_svhn_file turns the file's HWCN into CHW rows
  return out;
}

RawData read_sarcos(const ReaderContext& context) {
  const auto option = context.options.find("target");
  const std::string text = option == context.options.end() ? "1" : option->second;
  if (text.size() != 1 || text[0] < '1' || text[0] > '7') {
    throw DatasetError("dataset '" + context.name + "': target '" + text +
                       "' is not a joint torque; allowed: 1, 2, 3, 4, 5, 6, 7");
  }
  const int target = text[0] - '0';
  const auto train_path = find_data_file(context, "sarcos_inv.mat");
  const auto test_path = find_data_file(context, "sarcos_inv_test.mat");
  RawData out;
  out.task = Task::regression;
  out.outputs = 1;
  out.train = read_sarcos_file(train_path, "sarcos_inv", target);
  out.test = read_sarcos_file(test_path, "sarcos_inv_test", target);
  out.files = {train_path, test_path};
  out.normalisation.from_training_split = true;
  out.normalisation.source = "training split (per feature)";
  return out;
}

}  // namespace comet::datasets
