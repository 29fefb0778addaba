#include "idx_reader.h"

#include <zlib.h>

#include <array>
#include <memory>
#include <string>

#include "comet/datasets/dataset.h"

namespace comet::datasets {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

std::uint32_t big_endian(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace

IdxArray read_idx_u8(const std::filesystem::path& path, int expected_dims) {
  const auto name = path.string();
  auto fail = [&](const std::string& what) -> DatasetError {
    return DatasetError(name + ": " + what);
  };
  if (!std::filesystem::is_regular_file(path)) throw fail("no such file");
  // gzread passes files that are not gzip-compressed through unchanged.
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(name.c_str(), "rb"));
  if (!file) throw fail("cannot open");
  auto read_exact = [&](void* out, std::size_t bytes) {
    std::size_t done = 0;
    while (done < bytes) {
      const auto chunk = static_cast<unsigned>(std::min<std::size_t>(bytes - done, 1u << 30));
      const int got = gzread(file.get(), static_cast<char*>(out) + done, chunk);
      if (got < 0) {
        int code = 0;
        throw fail(std::string("corrupt compressed data (") + gzerror(file.get(), &code) + ")");
      }
      if (got == 0) return done;
      done += static_cast<std::size_t>(got);
    }
    return done;
  };

  std::array<std::uint8_t, 4> magic{};
  if (read_exact(magic.data(), 4) != 4) throw fail("truncated: shorter than the 4-byte IDX magic");
  if (magic[0] != 0 || magic[1] != 0) throw fail("not an IDX file (bad magic)");
  if (magic[2] != 0x08) {
    throw fail("IDX element type 0x" + std::to_string(magic[2]) + " is not unsigned byte (0x08)");
  }
  if (magic[3] != expected_dims) {
    throw fail("IDX has " + std::to_string(magic[3]) + " dimensions, expected " +
               std::to_string(expected_dims));
  }
  IdxArray out;
  std::size_t count = 1;
  for (int d = 0; d < expected_dims; ++d) {
    std::array<std::uint8_t, 4> dim{};
    if (read_exact(dim.data(), 4) != 4) throw fail("truncated inside the IDX header");
    const auto size = big_endian(dim.data());
    if (size == 0 || size > (1u << 28)) throw fail("implausible dimension " + std::to_string(size));
    out.shape.push_back(size);
    count *= size;
    if (count > (std::size_t{1} << 34)) throw fail("IDX header announces more than 16 GiB");
  }
  out.values.resize(count);
  const auto got = read_exact(out.values.data(), count);
  if (got != count) {
    throw fail("truncated: header announces " + std::to_string(count) + " bytes of data, found " +
               std::to_string(got));
  }
  std::uint8_t extra = 0;
  if (read_exact(&extra, 1) != 0) throw fail("trailing bytes after the announced data");
  return out;
}

}  // namespace comet::datasets
