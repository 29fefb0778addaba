// `comet data ls | verify | get`: in-process over injected catalogs, and the binary end to end
// against a loopback HTTP server (--mirror). Nothing reaches the internet.

#include "comet/cli/data_command.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "idx_fixture.h"
#include "loopback_http_server.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/cli/error_boundary.h"
#include "comet/datasets/dataset.h"
#include "comet/datasets/fetch.h"

namespace comet::cli {
namespace {

namespace fs = std::filesystem;
namespace ds = datasets;
using testing::LoopbackHttpServer;
using testing::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

constexpr const char* kMd5Abc = "900150983cd24fb0d6963f7d28e17f72";  // MD5("abc"), RFC 1321

ds::DatasetEntry one_file(const std::string& name, const std::string& md5,
                          const std::string& base_url = "http://127.0.0.1:1") {
  ds::DatasetEntry e;
  e.name = name;
  e.description = "test";
  e.task = "classification, 2 classes";
  e.files = {{{"f.bin"}}};
  e.downloads = {{"f.bin", base_url + "/f.bin", {}, ds::ArchiveKind::none, md5, "test", "", ""}};
  return e;
}

ds::DatasetCatalog test_catalog() {
  ds::DatasetCatalog c = {one_file("good", kMd5Abc), one_file("unchecked", ""),
                          one_file("absent", kMd5Abc), one_file("rotten", kMd5Abc)};
  ds::DatasetEntry generated;
  generated.name = "generated";
  generated.task = "classification";
  generated.no_files_reason = "generated in memory";
  c.push_back(generated);
  return c;
}

void fill_root(const fs::path& root) {
  write_file(root / "good" / "f.bin", "abc");
  write_file(root / "unchecked" / "f.bin", "anything");
  write_file(root / "rotten" / "f.bin", "abd");
}

TEST(DataLs, JsonShowsVerifiedPresentMissing) {
  TempDir root;
  fill_root(root.path());
  const auto catalog = test_catalog();
  std::ostringstream out;
  ASSERT_EQ(data_ls_command({root.path(), OutputFormat::json, &catalog}, out), 0);
  const auto rows = nlohmann::json::parse(out.str());
  ASSERT_EQ(rows.size(), 5u);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& row : rows) by_name[row["name"]] = row;
  EXPECT_EQ(by_name["good"]["status"], "verified");
  EXPECT_EQ(by_name["good"]["source"], "data root");
  EXPECT_EQ(by_name["good"]["found_in"], (root / "good").string());
  EXPECT_EQ(by_name["good"]["files"][0]["state"], "present");
  EXPECT_EQ(by_name["good"]["checksums"][0]["state"], "match");
  EXPECT_EQ(by_name["unchecked"]["status"], "present");
  EXPECT_EQ(by_name["unchecked"]["checksums"][0]["state"], "no published checksum");
  EXPECT_EQ(by_name["absent"]["status"], "missing");
  EXPECT_EQ(by_name["absent"]["files"][0]["state"], "missing");
  EXPECT_TRUE(by_name["absent"]["found_in"].is_null());
  EXPECT_EQ(by_name["rotten"]["status"], "present");
  EXPECT_EQ(by_name["rotten"]["checksums"][0]["state"], "mismatch");
  EXPECT_EQ(by_name["generated"]["status"], "n/a");

  std::ostringstream table;
  data_ls_command({root.path(), OutputFormat::table, &catalog}, table);
  EXPECT_NE(table.str().find("1 mismatch"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("0/1"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("none: generated in memory"), std::string::npos) << table.str();
}

// run_guarded as main uses it: the exit code and the message on stderr.
int guarded(const std::function<int()>& f, std::string& err) {
  std::ostringstream e;
  const int code = run_guarded(f, e);
  err = e.str();
  return code;
}

TEST(DataVerify, ExitCodesAndMessages) {
  TempDir root;
  fill_root(root.path());
  const auto catalog = test_catalog();
  std::ostringstream out;
  std::string err;
  auto verify = [&](const std::string& name) {
    return guarded([&] { return data_verify_command({name, root.path(), &catalog}, out); }, err);
  };
  EXPECT_EQ(verify("good"), 0) << err;
  EXPECT_NE(out.str().find("good: verified"), std::string::npos) << out.str();
  EXPECT_EQ(verify("unchecked"), 0) << err;
  EXPECT_NE(out.str().find("no published checksum"), std::string::npos) << out.str();
  EXPECT_EQ(verify("generated"), 0) << err;

  EXPECT_EQ(verify("rotten"), 2);
  EXPECT_NE(err.find("comet: data error: dataset 'rotten' does not verify"), std::string::npos);
  EXPECT_NE(err.find(kMd5Abc), std::string::npos) << err;
  EXPECT_NE(err.find("4911e516e5aa21d327512e0c8b197616"), std::string::npos) << err;  // "abd"
  EXPECT_NE(err.find((root / "rotten" / "f.bin").string()), std::string::npos) << err;

  EXPECT_EQ(verify("absent"), 2);
  EXPECT_NE(err.find("dataset 'absent' is not in " + (root / "absent").string()), std::string::npos)
      << err;
  // Half there: the publisher file matches, but a file the reader needs is gone.
  auto partial = one_file("partial", kMd5Abc);
  partial.files.push_back({{"g.bin"}});
  const ds::DatasetCatalog partial_catalog = {partial};
  write_file(root / "partial" / "f.bin", "abc");
  EXPECT_EQ(guarded(
                [&] {
                  return data_verify_command({"partial", root.path(), &partial_catalog}, out);
                },
                err),
            2);
  EXPECT_NE(err.find("g.bin: missing (the reader needs it"), std::string::npos) << err;
  EXPECT_EQ(verify("nosuch"), 2);
  EXPECT_NE(err.find("unknown dataset 'nosuch'"), std::string::npos) << err;
}

// In-process: the ids js-tiktoken gives (tests/datasets/fixtures/gpt2_fixture.json's first
// cases) and the count, as text and as JSON.
TEST(DataTokenize, PrintsTheIdsAndTheCount) {
  TempDir dir;
  const auto shared = fs::path(testing::kSourceDir) / ".." / "shared" / "data" / "gpt2-bpe";
  fs::create_directories(dir / "data" / "gpt2-bpe");
  for (const char* f : {"encoder.json", "vocab.bpe"}) {
    fs::copy_file(shared / f, dir / "data" / "gpt2-bpe" / f);
  }
  std::ofstream(dir / "hello.txt") << "Hello world";
  DataTokenizeParams p;
  p.file = dir / "hello.txt";
  p.data_root = dir / "data";
  std::ostringstream out, err;
  EXPECT_EQ(data_tokenize_command(p, out, err), 0);
  EXPECT_EQ(out.str(), "15496 995\n2 tokens\n");
  EXPECT_NE(err.str().find("11 bytes -> 2 tokens"), std::string::npos) << err.str();

  p.format = "json";
  std::ostringstream json_out;
  EXPECT_EQ(data_tokenize_command(p, json_out, err), 0);
  const auto doc = nlohmann::json::parse(json_out.str());
  EXPECT_EQ(doc["count"], 2);
  EXPECT_EQ(doc["ids"], (std::vector<int>{15496, 995}));
  EXPECT_EQ(doc["tokenizer"], "gpt2-bpe");

  p.tokenizer = "llama";
  EXPECT_THROW(data_tokenize_command(p, out, err), ds::DatasetError);
  p.tokenizer = "gpt2-bpe";
  p.file = dir / "missing.txt";
  EXPECT_THROW(data_tokenize_command(p, out, err), ds::DatasetError);
}

TEST(DataGet, DownloadsRetriesThenSaysAlreadyVerified) {
  LoopbackHttpServer server;
  TempDir root;
  server.serve("/f.bin", "abc");
  server.fail_once("/f.bin", 502);
  const ds::DatasetCatalog catalog = {one_file("remote", kMd5Abc, server.url())};
  DataGetParams params;
  params.name = "remote";
  params.data_root = root.path();
  params.retry_delay = std::chrono::milliseconds(1);
  params.catalog = &catalog;
  std::ostringstream out, err;
  ASSERT_EQ(data_get_command(params, out, err), 0);
  EXPECT_EQ(out.str(), "remote: verified in " + (root / "remote").string() + "\n");
  EXPECT_NE(err.str().find("HTTP 502; retry 1/5"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("remote: f.bin: 3 bytes from " + server.url() + "/f.bin"),
            std::string::npos)
      << err.str();

  std::ostringstream again;
  ASSERT_EQ(data_get_command(params, again, err), 0);
  EXPECT_NE(again.str().find("already present and verified"), std::string::npos) << again.str();
  EXPECT_EQ(server.requests().size(), 2u);
}

// ---- the binary ----

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

Outcome comet(const TempDir& dir, const std::string& args) {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string command = "cd '" + dir.path().string() + "' && '" + testing::kCometBinary +
                              "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

TEST(CometData, LsJson) {
  TempDir dir;
  testing::write_mnist_fixture(dir / "data" / "mnist", 20, 10);  // raw IDX files, no .gz
  // The tokenizer files, checked against their SHA-256s.
  const auto shared = fs::path(testing::kSourceDir) / ".." / "shared" / "data" / "gpt2-bpe";
  fs::create_directories(dir / "data" / "gpt2-bpe");
  for (const char* f : {"encoder.json", "vocab.bpe"}) {
    fs::copy_file(shared / f, dir / "data" / "gpt2-bpe" / f);
  }
  auto r = comet(dir, "data ls --format json --data-root data");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& row : rows) by_name[row["name"]] = row;
  ASSERT_EQ(by_name.size(), 15u);  // 9 datasets, 5 text corpora, the tokenizer files
  EXPECT_EQ(by_name["gpt2-bpe"]["status"], "verified");
  EXPECT_EQ(by_name["gpt2-bpe"]["checksums"][1]["algorithm"], "SHA-256");
  EXPECT_EQ(by_name["gpt2-bpe"]["checksums"][1]["actual_md5"],
            "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5");
  EXPECT_EQ(by_name["python_stdlib"]["status"], "n/a");
  EXPECT_EQ(by_name["wikitext2"]["status"], "missing");
  EXPECT_EQ(by_name["mnist"]["status"], "present");  // the raw names, nothing to check them by
  EXPECT_EQ(by_name["mnist"]["checksums"][0]["state"], "missing");
  EXPECT_EQ(by_name["cifar10"]["status"], "missing");
  EXPECT_EQ(by_name["csv"]["status"], "n/a");
  EXPECT_EQ(by_name["tiny_imagenet"]["checksums"][0]["expected_md5"],
            "90528d7ca1a48142e341f4ef8d21d0de");
  if (fs::exists("/var/lib/dpkg/info/dataset-fashion-mnist.md5sums")) {
    EXPECT_EQ(by_name["fashion_mnist"]["status"], "verified");
    EXPECT_EQ(by_name["fashion_mnist"]["source"], "Debian package dataset-fashion-mnist");
  }
  auto table = comet(dir, "data ls --data-root data");
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_EQ(table.out.rfind("name ", 0), 0u) << table.out;
}

TEST(CometData, GetFromAMirror) {
  LoopbackHttpServer server;
  TempDir dir;
  // SARCOS has no published checksum, so any bytes go through.
  server.serve("/m/sarcos_inv.mat", "train bytes");
  server.serve("/m/sarcos_inv_test.mat", "test bytes");
  auto r = comet(dir, "data get sarcos --data-root data --mirror " + server.url() + "/m");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sarcos: present in"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("sarcos: sarcos_inv.mat: 11 bytes from " + server.url() + "/m/"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(slurp(dir / "data" / "sarcos" / "sarcos_inv_test.mat"), "test bytes");
  auto v = comet(dir, "data verify sarcos --data-root data");
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("no published checksum"), std::string::npos) << v.out;
  auto again = comet(dir, "data get sarcos --data-root data --mirror " + server.url() + "/m");
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("already present"), std::string::npos) << again.out;
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(CometData, BadChecksumNotFoundAndUsageErrors) {
  LoopbackHttpServer server;
  TempDir dir;
  server.serve("/m/train-images-idx3-ubyte.gz", "not the real file");
  auto bad = comet(dir, "data get mnist --data-root data --mirror " + server.url() + "/m");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("f68b3c2dcbeaaa9fbdd348bbdeb94873"), std::string::npos) << bad.err;
  EXPECT_NE(
      bad.err.find(ds::md5_of_file(dir / "data" / "mnist" / "train-images-idx3-ubyte.gz.bad")),
      std::string::npos)
      << bad.err;
  EXPECT_FALSE(fs::exists(dir / "data" / "mnist" / "train-images-idx3-ubyte.gz"));
  auto verify = comet(dir, "data verify mnist --data-root data");
  EXPECT_EQ(verify.exit_code, 2) << verify.err;

  auto missing = comet(dir, "data get cifar10 --data-root data --mirror " + server.url() + "/m");
  EXPECT_EQ(missing.exit_code, 3) << missing.err;
  EXPECT_NE(missing.err.find("comet: download error:"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("HTTP 404"), std::string::npos) << missing.err;

  auto csv = comet(dir, "data get csv --data-root data");
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_NE(csv.out.find("nothing to download"), std::string::npos) << csv.out;
  EXPECT_EQ(comet(dir, "data verify nosuch --data-root data").exit_code, 2);
  EXPECT_EQ(comet(dir, "data").exit_code, 2);
  EXPECT_EQ(comet(dir, "data ls --format xml").exit_code, 2);
}

}  // namespace
}  // namespace comet::cli
