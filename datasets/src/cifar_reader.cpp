#include "cifar_reader.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace comet::datasets {

namespace {

constexpr std::int64_t kPixels = 3 * 32 * 32;
// Guards against reading a wrong multi-gigabyte file; the real files hold 10000 (CIFAR-10) or
// 50000 (CIFAR-100 train.bin) records.
constexpr std::uintmax_t kMaxRecords = std::uintmax_t{1} << 20;

// The label bytes that start a record: CIFAR-10 one, CIFAR-100 a coarse then a fine one. All
// are checked, whichever one is used.
struct LabelByte {
  std::string name;
  std::int64_t classes;
};
struct RecordLayout {
  std::vector<LabelByte> labels;
  std::size_t used = 0;  // index of the label byte that becomes the class
};

// The first of <dir>/relative over all dirs, then <dir>/subfolder/relative over all dirs: the
// plain name wins, and a missing file's message lists both kinds of place.
std::filesystem::path find_cifar_file(const ReaderContext& context, const std::string& subfolder,
                                      const std::string& relative) {
  ReaderContext both = context;
  for (const auto& dir : context.dirs) both.dirs.push_back(dir / subfolder);
  return find_data_file(both, relative);
}

// Appends the records of one file to `table`.
void read_cifar_file(const std::filesystem::path& path, const RecordLayout& layout,
                     RawTable& table) {
  const auto name = path.string();
  auto fail = [&](const std::string& what) { return DatasetError(name + ": " + what); };
  const auto label_bytes = layout.labels.size();
  const auto record = static_cast<std::uintmax_t>(label_bytes + kPixels);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw fail("cannot read its size (" + ec.message() + ")");
  if (size == 0) throw fail("empty file, expected " + std::to_string(record) + "-byte records");
  if (size % record != 0) {
    throw fail("truncated: " + std::to_string(size) + " bytes is not a whole number of " +
               std::to_string(record) + "-byte records");
  }
  const auto records = size / record;
  if (records > kMaxRecords) {
    throw fail("implausibly large: " + std::to_string(records) + " records (at most " +
               std::to_string(kMaxRecords) + ")");
  }

  std::vector<std::uint8_t> data(size);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fail("cannot open");
  in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(size));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) {
    throw fail("read " + std::to_string(in.gcount()) + " of " + std::to_string(size) + " bytes");
  }

  const auto first_row = table.rows;
  table.rows += static_cast<std::int64_t>(records);
  table.bytes.resize(static_cast<std::size_t>(table.rows * kPixels));
  table.labels.reserve(static_cast<std::size_t>(table.rows));
  for (std::uintmax_t i = 0; i < records; ++i) {
    const std::uint8_t* in_record = data.data() + i * record;
    for (std::size_t b = 0; b < label_bytes; ++b) {
      const auto& byte = layout.labels[b];
      if (in_record[b] >= byte.classes) {
        throw fail("record " + std::to_string(i) + ": " + byte.name + " " +
                   std::to_string(in_record[b]) + " out of range 0.." +
                   std::to_string(byte.classes - 1));
      }
    }
    table.labels.push_back(in_record[layout.used]);
    // The file's pixel order (R, G, B planes, each row-major 32x32) is already CHW.
    std::copy(in_record + label_bytes, in_record + record,
              table.bytes.begin() + (first_row + static_cast<std::int64_t>(i)) * kPixels);
  }
}

RawData read_cifar(const ReaderContext& context, const std::string& subfolder,
                   const std::vector<std::string>& train_files, const std::string& test_file,
                   const RecordLayout& layout) {
  RawData out;
  out.task = Task::classification;
  out.outputs = layout.labels[layout.used].classes;
  out.train.cols = kPixels;
  out.test.cols = kPixels;
  // Find every file before reading any, so a missing one is reported at once.
  std::vector<std::filesystem::path> train_paths;
  for (const auto& file : train_files) {
    train_paths.push_back(find_cifar_file(context, subfolder, file));
  }
  const auto test_path = find_cifar_file(context, subfolder, test_file);
  for (const auto& path : train_paths) {
    read_cifar_file(path, layout, out.train);
    out.files.push_back(path);
  }
  read_cifar_file(test_path, layout, out.test);
  out.files.push_back(test_path);
  out.normalisation.scale = 1.0 / 255.0;
  out.normalisation.channels = 3;
  out.normalisation.source = "published per-channel constants";
  out.image_shape = {3, 32, 32};
  return out;
}

}  // namespace

RawData read_cifar10(const ReaderContext& context) {
  auto out = read_cifar(context, "cifar-10-batches-bin",
                        {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                         "data_batch_4.bin", "data_batch_5.bin"},
                        "test_batch.bin", RecordLayout{{{"label", 10}}, 0});
  out.normalisation.mean = {0.4914, 0.4822, 0.4465};
  out.normalisation.stddev = {0.2470, 0.2435, 0.2616};
  return out;
}

RawData read_cifar100(const ReaderContext& context) {
  const auto option = context.options.find("labels");
  const std::string labels = option == context.options.end() ? "fine" : option->second;
  if (labels != "fine" && labels != "coarse") {
    throw DatasetError("dataset '" + context.name + "': labels '" + labels +
                       "' is not allowed; allowed: fine, coarse");
  }
  const RecordLayout layout{{{"coarse label", 20}, {"fine label", 100}},
                            labels == "fine" ? 1u : 0u};
  auto out = read_cifar(context, "cifar-100-binary", {"train.bin"}, "test.bin", layout);
  out.normalisation.mean = {0.5071, 0.4865, 0.4409};
  out.normalisation.stddev = {0.2673, 0.2564, 0.2762};
  return out;
}

}  // namespace comet::datasets
