#include "fetch/checksum.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

#include "comet/datasets/dataset.h"
#include "comet/datasets/fetch.h"

namespace comet::datasets {

std::string md5_of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DatasetError("cannot read " + path.string());
  // MD5 is what the publishers print; it detects corruption, it does not authenticate.
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL cannot compute MD5");
  }
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buffer.data(), in.gcount());
  }
  if (in.bad()) throw DatasetError("cannot read " + path.string());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    char two[3];
    std::snprintf(two, sizeof(two), "%02x", digest[i]);
    hex += two;
  }
  return hex;
}

std::string package_md5(const std::filesystem::path& md5sums, const std::filesystem::path& file) {
  std::ifstream in(md5sums);
  // dpkg writes paths relative to / (no leading slash).
  const auto wanted = file.lexically_normal().relative_path().string();
  std::string line;
  while (std::getline(in, line)) {
    const auto gap = line.find("  ");  // paths may hold single spaces
    if (gap != std::string::npos && line.substr(gap + 2) == wanted) return line.substr(0, gap);
  }
  return "";
}

}  // namespace comet::datasets
