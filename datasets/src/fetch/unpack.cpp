#include "fetch/unpack.h"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <memory>

#include "comet/datasets/dataset.h"
#include "comet/datasets/fetch.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;

using Reader = std::unique_ptr<archive, decltype(&archive_read_free)>;

Reader open_reader(const fs::path& path, ArchiveKind kind) {
  Reader a(archive_read_new(), archive_read_free);
  if (!a) throw std::runtime_error("libarchive cannot start");
  // Only the formats the catalog names: a zip mislabelled as tar.gz is an error, not a guess.
  switch (kind) {
    case ArchiveKind::tar_gz:
      archive_read_support_filter_gzip(a.get());
      archive_read_support_format_tar(a.get());
      break;
    case ArchiveKind::zip:
      archive_read_support_format_zip(a.get());
      break;
    case ArchiveKind::gz:
      archive_read_support_filter_gzip(a.get());
      archive_read_support_format_raw(a.get());
      break;
    case ArchiveKind::none:
      break;
  }
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    throw DatasetError("cannot open archive " + path.string() + ": " +
                       archive_error_string(a.get()));
  }
  return a;
}

[[noreturn]] void corrupt(const fs::path& path, archive* a) {
  const char* why = archive_error_string(a);
  throw DatasetError("archive " + path.string() + " is damaged: " + (why ? why : "read error"));
}

// Why an entry may not be unpacked, or "" when it may.
std::string refusal(const std::string& name, archive_entry* entry) {
  if (name.empty()) return "has an empty name";
  if (name.front() == '/') return "has an absolute path";
  for (const auto& part : fs::path(name)) {
    if (part == "..") return "contains '..'";
  }
  if (archive_entry_hardlink(entry) != nullptr) return "is a hard link";
  const auto type = archive_entry_filetype(entry);
  if (type != AE_IFREG && type != AE_IFDIR) return "is not a regular file or folder";
  return "";
}

void copy_data(archive* a, const fs::path& archive_path, const fs::path& out_path) {
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) throw FetchError("cannot write " + out_path.string());
  const void* block = nullptr;
  std::size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    const int rc = archive_read_data_block(a, &block, &size, &offset);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) corrupt(archive_path, a);
    // Sparse tar entries come with offsets; seeking leaves the hole as zeros.
    out.seekp(static_cast<std::streamoff>(offset));
    out.write(static_cast<const char*>(block), static_cast<std::streamsize>(size));
  }
  out.close();
  if (!out) throw FetchError("cannot write " + out_path.string());
}

}  // namespace

std::vector<std::string> unpack_archive(const fs::path& archive_path, ArchiveKind kind,
                                        const fs::path& dest) {
  if (kind == ArchiveKind::none) return {};
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) throw FetchError("cannot create " + dest.string() + ": " + ec.message());

  if (kind == ArchiveKind::gz) {
    auto a = open_reader(archive_path, kind);
    archive_entry* entry = nullptr;
    if (archive_read_next_header(a.get(), &entry) != ARCHIVE_OK) corrupt(archive_path, a.get());
    // The raw format takes any bytes; only a gzip stream is a .gz file.
    if (archive_filter_code(a.get(), 0) != ARCHIVE_FILTER_GZIP) {
      throw DatasetError("archive " + archive_path.string() + " is not gzip-compressed");
    }
    auto name = archive_path.filename().string();
    if (name.size() > 3 && name.ends_with(".gz")) name.resize(name.size() - 3);
    copy_data(a.get(), archive_path, dest / name);
    return {name};
  }

  // Pass 1 reads every header: nothing is written unless every entry is acceptable.
  {
    auto a = open_reader(archive_path, kind);
    archive_entry* entry = nullptr;
    for (;;) {
      const int rc = archive_read_next_header(a.get(), &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) corrupt(archive_path, a.get());
      const std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
      if (auto why = refusal(name, entry); !why.empty()) {
        throw DatasetError("archive " + archive_path.string() + ": entry '" + name + "' " + why +
                           "; refused, nothing was unpacked");
      }
      if (archive_read_data_skip(a.get()) != ARCHIVE_OK) corrupt(archive_path, a.get());
    }
  }

  std::vector<std::string> written;
  auto a = open_reader(archive_path, kind);
  archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) corrupt(archive_path, a.get());
    const std::string name = archive_entry_pathname(entry);
    const auto out_path = dest / fs::path(name).lexically_normal();
    if (archive_entry_filetype(entry) == AE_IFDIR) {
      fs::create_directories(out_path, ec);
    } else {
      fs::create_directories(out_path.parent_path(), ec);
      if (!ec) copy_data(a.get(), archive_path, out_path);
    }
    if (ec) throw FetchError("cannot create " + out_path.string() + ": " + ec.message());
    written.push_back(name);
  }
  return written;
}

}  // namespace comet::datasets
