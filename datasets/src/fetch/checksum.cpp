#include "fetch/checksum.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

#include "comet/datasets/dataset.h"
#include "comet/datasets/fetch.h"

namespace comet::datasets {

namespace {

std::string hex_of(const unsigned char* digest, unsigned int length) {
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    char two[3];
    std::snprintf(two, sizeof(two), "%02x", digest[i]);
    hex += two;
  }
  return hex;
}

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext start_digest(const EVP_MD* algorithm, const char* name) {
  DigestContext ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), algorithm, nullptr) != 1) {
    throw std::runtime_error(std::string("OpenSSL cannot compute ") + name);
  }
  return ctx;
}

std::string finish_digest(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest.data(), &length);
  return hex_of(digest.data(), length);
}

std::string digest_of_file(const std::filesystem::path& path, const EVP_MD* algorithm,
                           const char* name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DatasetError("cannot read " + path.string());
  auto ctx = start_digest(algorithm, name);
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buffer.data(), in.gcount());
  }
  if (in.bad()) throw DatasetError("cannot read " + path.string());
  return finish_digest(ctx.get());
}

}  // namespace

// MD5 is what most publishers print; it detects corruption, it does not authenticate.
std::string md5_of_file(const std::filesystem::path& path) {
  return digest_of_file(path, EVP_md5(), "MD5");
}

std::string sha256_of_file(const std::filesystem::path& path) {
  return digest_of_file(path, EVP_sha256(), "SHA-256");
}

std::string sha256_hex(std::string_view bytes) {
  auto ctx = start_digest(EVP_sha256(), "SHA-256");
  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  return finish_digest(ctx.get());
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
