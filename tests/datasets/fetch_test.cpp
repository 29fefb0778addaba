// fetch_dataset against a loopback HTTP server: download, resume, retries, checksum refusal,
// HTTP errors, unpacking (and refusing) archives the test writes itself.

#include "comet/datasets/fetch.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "loopback_http_server.h"
#include "temp_dir.h"

#include "comet/datasets/dataset.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;
using testing::LoopbackHttpServer;
using testing::TempDir;

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string md5_of(const std::string& bytes) {
  TempDir dir;
  write_bytes(dir / "x", bytes);
  return md5_of_file(dir / "x");
}

// Deterministic bytes that do not compress away.
std::string noise(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (auto& c : s) {
    seed = seed * 1103515245u + 12345u;
    c = static_cast<char>(seed >> 16);
  }
  return s;
}

struct ArchiveEntrySpec {
  ArchiveEntrySpec(std::string name, std::string bytes, unsigned type = AE_IFREG,
                   std::string link_target = "")
      : name(std::move(name)),
        bytes(std::move(bytes)),
        type(type),
        link_target(std::move(link_target)) {}
  std::string name;
  std::string bytes;
  unsigned type;
  std::string link_target;  // for AE_IFLNK
};

// A tar.gz or a zip in memory, written with libarchive's writer.
std::string make_archive(const std::vector<ArchiveEntrySpec>& entries, bool zip) {
  archive* a = archive_write_new();
  if (zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
  }
  std::string buffer(4 << 20, '\0');
  std::size_t used = 0;
  if (archive_write_open_memory(a, buffer.data(), buffer.size(), &used) != ARCHIVE_OK) {
    throw std::runtime_error(archive_error_string(a));
  }
  for (const auto& spec : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, spec.name.c_str());
    archive_entry_set_filetype(e, spec.type);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(spec.bytes.size()));
    if (!spec.link_target.empty()) archive_entry_set_symlink(e, spec.link_target.c_str());
    archive_write_header(a, e);
    if (!spec.bytes.empty()) archive_write_data(a, spec.bytes.data(), spec.bytes.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  buffer.resize(used);
  return buffer;
}

// One gzip member, written with zlib.
std::string gzip(const std::string& bytes) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: gzip
  std::string out(deflateBound(&z, bytes.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

DatasetEntry entry_for(const std::string& url, const std::string& file, ArchiveKind kind,
                       const std::string& md5, std::vector<ExpectedFile> files) {
  DatasetEntry e;
  e.name = "toy";
  e.description = "test data";
  e.task = "classification, 2 classes";
  e.files = std::move(files);
  e.downloads = {{file, url + "/" + file, {}, kind, md5, "the test", "", ""}};
  return e;
}

FetchOptions fast() {
  FetchOptions o;
  o.retry_delay = std::chrono::milliseconds(1);
  return o;
}

TEST(FetchDataset, TarGzDownloadUnpackVerifyThenNothingMore) {
  LoopbackHttpServer server;
  TempDir root;
  const auto a = noise(5000, 1), b = std::string("labels\n");
  const auto tgz =
      make_archive({{"pack/", "", AE_IFDIR}, {"pack/a.bin", a}, {"pack/b.txt", b}}, false);
  server.serve("/pack.tar.gz", tgz);
  const auto entry = entry_for(server.url(), "pack.tar.gz", ArchiveKind::tar_gz, md5_of(tgz),
                               {{{"pack/a.bin"}}, {{"pack/b.txt"}}});
  std::ostringstream log;
  auto report = fetch_dataset(entry, root.path(), fast(), log);
  EXPECT_EQ(report.outcome, FetchOutcome::downloaded);
  EXPECT_EQ(report.status.state, DatasetState::verified);
  EXPECT_EQ(read_bytes(root / "toy" / "pack" / "a.bin"), a);
  EXPECT_EQ(read_bytes(root / "toy" / "pack" / "b.txt"), b);
  EXPECT_EQ(read_bytes(root / "toy" / "pack.tar.gz"), tgz);  // kept for `data verify`
  EXPECT_FALSE(fs::exists(root / "toy" / "pack.tar.gz.part"));
  EXPECT_NE(log.str().find("toy: pack.tar.gz: "), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("matches, unpacked 3 entries"), std::string::npos) << log.str();

  report = fetch_dataset(entry, root.path(), fast(), log);
  EXPECT_EQ(report.outcome, FetchOutcome::already_verified);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(FetchDataset, ZipAndGzipUnpack) {
  LoopbackHttpServer server;
  TempDir root;
  const auto zip = make_archive({{"set/wnids.txt", "n01\nn02\n"}, {"set/val/x.txt", "x"}}, true);
  server.serve("/set.zip", zip);
  auto report = fetch_dataset(entry_for(server.url(), "set.zip", ArchiveKind::zip, md5_of(zip),
                                        {{{"set/wnids.txt"}}, {{"set/val/"}}}),
                              root.path(), fast(), std::cout);
  EXPECT_EQ(report.status.state, DatasetState::verified);
  EXPECT_EQ(read_bytes(root / "toy" / "set" / "wnids.txt"), "n01\nn02\n");

  TempDir root2;
  const auto raw = noise(3000, 7);
  const auto gz = gzip(raw);
  server.serve("/data.bin.gz", gz);
  report = fetch_dataset(
      entry_for(server.url(), "data.bin.gz", ArchiveKind::gz, md5_of(gz), {{{"data.bin"}}}),
      root2.path(), fast(), std::cout);
  EXPECT_EQ(report.status.state, DatasetState::verified);
  EXPECT_EQ(read_bytes(root2 / "toy" / "data.bin"), raw);
}

TEST(FetchDataset, InterruptedTransferResumesWithARangeRequest) {
  LoopbackHttpServer server;
  TempDir root;
  const auto bytes = noise(100000, 3);
  server.serve("/big.bin", bytes);
  server.cut_after_once("/big.bin", 30000);
  std::ostringstream log;
  const auto report = fetch_dataset(
      entry_for(server.url(), "big.bin", ArchiveKind::none, md5_of(bytes), {{{"big.bin"}}}),
      root.path(), fast(), log);
  EXPECT_EQ(report.status.state, DatasetState::verified);
  EXPECT_EQ(read_bytes(root / "toy" / "big.bin"), bytes);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[0].range.has_value());
  EXPECT_EQ(requests[1].range.value_or(""), "bytes=30000-");
  EXPECT_NE(log.str().find("retry 1/5"), std::string::npos) << log.str();
}

TEST(FetchDataset, ResumesAPartLeftByAnEarlierRun) {
  LoopbackHttpServer server;
  TempDir root;
  const auto bytes = noise(50000, 4);
  server.serve("/big.bin", bytes);
  write_bytes(root / "toy" / "big.bin.part", bytes.substr(0, 12345));
  fetch_dataset(
      entry_for(server.url(), "big.bin", ArchiveKind::none, md5_of(bytes), {{{"big.bin"}}}),
      root.path(), fast(), std::cout);
  EXPECT_EQ(read_bytes(root / "toy" / "big.bin"), bytes);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].range.value_or(""), "bytes=12345-");

  // A whole .part (stopped before its rename): the server's 416 names its size; kept as is.
  TempDir root2;
  write_bytes(root2 / "toy" / "big.bin.part", bytes);
  fetch_dataset(
      entry_for(server.url(), "big.bin", ArchiveKind::none, md5_of(bytes), {{{"big.bin"}}}),
      root2.path(), fast(), std::cout);
  EXPECT_EQ(read_bytes(root2 / "toy" / "big.bin"), bytes);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(FetchDataset, ServerIgnoringTheRangeStartsThePartOver) {
  LoopbackHttpServer server;
  TempDir root;
  const auto bytes = noise(20000, 5);
  server.serve("/big.bin", bytes);
  server.ignore_ranges(true);
  write_bytes(root / "toy" / "big.bin.part", "stale prefix");
  std::ostringstream log;
  fetch_dataset(
      entry_for(server.url(), "big.bin", ArchiveKind::none, md5_of(bytes), {{{"big.bin"}}}),
      root.path(), fast(), log);
  EXPECT_EQ(read_bytes(root / "toy" / "big.bin"), bytes);
  EXPECT_EQ(server.requests().at(0).range.value_or(""), "bytes=12-");
}

TEST(FetchDataset, ServerErrorIsRetriedThenSucceeds) {
  LoopbackHttpServer server;
  TempDir root;
  server.serve("/f.bin", "payload");
  server.fail_once("/f.bin", 500);
  std::ostringstream log;
  const auto report = fetch_dataset(
      entry_for(server.url(), "f.bin", ArchiveKind::none, md5_of("payload"), {{{"f.bin"}}}),
      root.path(), fast(), log);
  EXPECT_EQ(report.status.state, DatasetState::verified);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_NE(log.str().find("HTTP 500; retry 1/5"), std::string::npos) << log.str();

  // With no retries left, the same error is the end: a FetchError (exit 3).
  TempDir root2;
  server.fail_once("/f.bin", 503);
  auto options = fast();
  options.max_retries = 0;
  try {
    fetch_dataset(
        entry_for(server.url(), "f.bin", ArchiveKind::none, md5_of("payload"), {{{"f.bin"}}}),
        root2.path(), options, log);
    FAIL() << "no error";
  } catch (const FetchError& e) {
    EXPECT_NE(std::string(e.what()).find("HTTP 503"), std::string::npos) << e.what();
  }
}

TEST(FetchDataset, ChecksumMismatchIsRefusedAndKeptAsBad) {
  LoopbackHttpServer server;
  TempDir root;
  server.serve("/f.bin", "tampered");
  const std::string published = md5_of("original");
  const auto entry = entry_for(server.url(), "f.bin", ArchiveKind::none, published, {{{"f.bin"}}});
  try {
    fetch_dataset(entry, root.path(), fast(), std::cout);
    FAIL() << "no error";
  } catch (const DatasetError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(published), std::string::npos) << what;
    EXPECT_NE(what.find(md5_of("tampered")), std::string::npos) << what;
    EXPECT_NE(what.find("f.bin.bad"), std::string::npos) << what;
  }
  EXPECT_FALSE(fs::exists(root / "toy" / "f.bin"));
  EXPECT_FALSE(fs::exists(root / "toy" / "f.bin.part"));
  EXPECT_EQ(read_bytes(root / "toy" / "f.bin.bad"), "tampered");
  EXPECT_EQ(inspect_dataset(entry, root.path()).state, DatasetState::missing);
}

// gpt2-bpe's files are published with SHA-256s only: a download is checked against those.
TEST(FetchDataset, Sha256IsCheckedWhenPublished) {
  LoopbackHttpServer server;
  TempDir root;
  server.serve("/f.bin", "payload");
  TempDir scratch;
  write_bytes(scratch / "x", "payload");
  const auto sha256 = sha256_of_file(scratch / "x");
  EXPECT_EQ(sha256, "239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5");
  auto entry = entry_for(server.url(), "f.bin", ArchiveKind::none, "", {{{"f.bin"}}});
  entry.downloads[0].sha256 = sha256;
  const auto report = fetch_dataset(entry, root.path(), fast(), std::cout);
  EXPECT_EQ(report.status.state, DatasetState::verified);
  ASSERT_EQ(report.status.checksums.size(), 1u);
  EXPECT_EQ(report.status.checksums[0].algorithm, "SHA-256");
  EXPECT_EQ(report.status.checksums[0].actual, sha256);

  TempDir other;
  entry.downloads[0].sha256 = std::string(64, '0');
  try {
    fetch_dataset(entry, other.path(), fast(), std::cout);
    FAIL() << "no error";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find("has SHA-256 " + sha256 + ", expected 000"),
              std::string::npos)
        << e.what();
  }
}

TEST(FetchDataset, CorruptCopyIsReplaced) {
  LoopbackHttpServer server;
  TempDir root;
  server.serve("/f.bin", "good");
  write_bytes(root / "toy" / "f.bin", "rotten");
  const auto report = fetch_dataset(
      entry_for(server.url(), "f.bin", ArchiveKind::none, md5_of("good"), {{{"f.bin"}}}),
      root.path(), fast(), std::cout);
  EXPECT_EQ(report.status.state, DatasetState::verified);
  EXPECT_EQ(read_bytes(root / "toy" / "f.bin"), "good");
  EXPECT_EQ(read_bytes(root / "toy" / "f.bin.bad"), "rotten");
}

TEST(FetchDataset, NotFoundFailsClearlyWithoutRetrying) {
  LoopbackHttpServer server;
  TempDir root;
  try {
    fetch_dataset(entry_for(server.url(), "gone.bin", ArchiveKind::none, "", {{{"gone.bin"}}}),
                  root.path(), fast(), std::cout);
    FAIL() << "no error";
  } catch (const FetchError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("HTTP 404"), std::string::npos) << what;
    EXPECT_NE(what.find(server.url() + "/gone.bin"), std::string::npos) << what;
  }
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(FetchDataset, ConnectionRefusedIsRetriedThenAFetchError) {
  TempDir root;
  auto options = fast();
  options.max_retries = 2;
  std::ostringstream log;
  // Port 1 on the loopback: nothing listens there.
  EXPECT_THROW(
      fetch_dataset(entry_for("http://127.0.0.1:1", "f.bin", ArchiveKind::none, "", {{{"f.bin"}}}),
                    root.path(), options, log),
      FetchError);
  EXPECT_NE(log.str().find("retry 2/2"), std::string::npos) << log.str();
}

TEST(FetchDataset, MirrorAndFallbackUrls) {
  LoopbackHttpServer server;
  TempDir root, root2;
  server.serve("/mirror/f.bin", "m");
  auto options = fast();
  options.mirror = server.url() + "/mirror/";
  auto entry =
      entry_for("http://127.0.0.1:1", "f.bin", ArchiveKind::none, md5_of("m"), {{{"f.bin"}}});
  EXPECT_EQ(fetch_dataset(entry, root.path(), options, std::cout).status.state,
            DatasetState::verified);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].path, "/mirror/f.bin");

  entry.downloads[0].url = server.url() + "/moved/f.bin";  // 404
  entry.downloads[0].fallback_urls = {server.url() + "/mirror/f.bin"};
  EXPECT_EQ(fetch_dataset(entry, root2.path(), fast(), std::cout).status.state,
            DatasetState::verified);
}

TEST(FetchDataset, FileUrlMirror) {
  TempDir root, copies;
  write_bytes(copies / "f.bin", "local copy");
  auto options = fast();
  options.mirror = "file://" + copies.path().string();
  const auto entry = entry_for("http://127.0.0.1:1", "f.bin", ArchiveKind::none,
                               md5_of("local copy"), {{{"f.bin"}}});
  std::ostringstream log;
  EXPECT_EQ(fetch_dataset(entry, root.path(), options, log).status.state, DatasetState::verified);
  EXPECT_EQ(read_bytes(root / "toy" / "f.bin"), "local copy");
}

TEST(FetchDataset, ZipWithEscapingEntryIsRefusedBeforeWriting) {
  LoopbackHttpServer server;
  TempDir root;
  const auto zip = make_archive({{"set/ok.txt", "fine"}, {"../evil", "gotcha"}}, true);
  server.serve("/set.zip", zip);
  try {
    fetch_dataset(
        entry_for(server.url(), "set.zip", ArchiveKind::zip, md5_of(zip), {{{"set/ok.txt"}}}),
        root.path(), fast(), std::cout);
    FAIL() << "no error";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find("'../evil' contains '..'"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(root / "evil"));
  EXPECT_FALSE(fs::exists(root / "toy" / "set"));  // not even the harmless entry
}

TEST(FetchDataset, AbsolutePathsAndLinksAreRefused) {
  LoopbackHttpServer server;
  for (const auto& bad : std::vector<ArchiveEntrySpec>{{"/tmp/comet-evil", "x"},
                                                       {"set/link", "", AE_IFLNK, "/etc/passwd"}}) {
    TempDir root;
    const auto tgz = make_archive({bad}, false);
    server.serve("/t.tar.gz", tgz);
    EXPECT_THROW(fetch_dataset(entry_for(server.url(), "t.tar.gz", ArchiveKind::tar_gz, md5_of(tgz),
                                         {{{"set/x"}}}),
                               root.path(), fast(), std::cout),
                 DatasetError)
        << bad.name;
    EXPECT_FALSE(fs::exists(root / "toy" / "set"));
  }
  EXPECT_FALSE(fs::exists("/tmp/comet-evil"));
}

TEST(FetchDataset, NothingToDownloadPresentManualAndUnwritableRoot) {
  TempDir root;
  DatasetEntry none;
  none.name = "generated";
  EXPECT_EQ(fetch_dataset(none, root.path(), fast(), std::cout).outcome,
            FetchOutcome::nothing_to_download);

  // Present without a published checksum: nothing is fetched again.
  auto plain = entry_for("http://127.0.0.1:1", "f.bin", ArchiveKind::none, "", {{{"f.bin"}}});
  write_bytes(root / "toy" / "f.bin", "mine");
  EXPECT_EQ(fetch_dataset(plain, root.path(), fast(), std::cout).outcome,
            FetchOutcome::already_present);

  auto manual = plain;
  manual.manual_download = "register at example.org and unpack into the data root";
  try {
    fetch_dataset(manual, (root / "elsewhere"), fast(), std::cout);
    FAIL() << "no error";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find("register at example.org"), std::string::npos);
  }

  write_bytes(root / "a-file", "not a folder");
  EXPECT_THROW(fetch_dataset(plain, root / "a-file", fast(), std::cout), FetchError);
}

}  // namespace
}  // namespace comet::datasets
