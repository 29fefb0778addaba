// The built-in catalog (names, pinned checksums, well-formed entries) and inspect_dataset over
// temporary data roots: missing, present, verified, mismatching, a distribution's copy.

#include "comet/datasets/catalog.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "temp_dir.h"

#include "comet/datasets/dataset.h"
#include "comet/datasets/fetch.h"

namespace comet::datasets {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(Catalog, KnowsEveryReaderInTheRegistrysOrder) {
  std::vector<std::string> names;
  for (const auto& e : builtin_catalog()) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"mnist", "fashion_mnist", "cifar10", "cifar100",
                                             "svhn", "sarcos", "tiny_imagenet", "csv",
                                             "synthetic_clusters", "wikitext2", "wikitext103",
                                             "codeparrot", "python_stdlib", "text", "gpt2-bpe"}));
}

TEST(Catalog, EntriesAreWellFormed) {
  const std::regex md5("[0-9a-f]{32}"), sha256("[0-9a-f]{64}");
  for (const auto& e : builtin_catalog()) {
    SCOPED_TRACE(e.name);
    EXPECT_FALSE(e.description.empty());
    EXPECT_FALSE(e.task.empty());
    if (e.files.empty()) {
      EXPECT_FALSE(e.no_files_reason.empty());
      EXPECT_TRUE(e.downloads.empty());
      continue;
    }
    EXPECT_FALSE(e.downloads.empty());
    for (const auto& f : e.files) EXPECT_FALSE(f.names.empty());
    for (const auto& d : e.downloads) {
      SCOPED_TRACE(d.file_name);
      EXPECT_TRUE(d.url.starts_with("http://") || d.url.starts_with("https://"));
      EXPECT_TRUE(d.url.ends_with("/" + d.file_name)) << d.url;  // what --mirror relies on
      if (!d.md5.empty()) {
        EXPECT_TRUE(std::regex_match(d.md5, md5)) << d.md5;
        EXPECT_FALSE(d.checksum_source.empty());
      }
      if (!d.sha256.empty()) {
        EXPECT_TRUE(std::regex_match(d.sha256, sha256)) << d.sha256;
        EXPECT_TRUE(d.md5.empty());  // one checksum per file
        EXPECT_FALSE(d.checksum_source.empty());
      }
      if (d.archive == ArchiveKind::tar_gz || d.archive == ArchiveKind::zip) {
        EXPECT_FALSE(d.unpacks_to.empty());
      }
    }
  }
}

// The checksums as confirmed against torchvision's source, the Toronto CIFAR page and the
// downloaders that publish Tiny ImageNet's: a change here must be deliberate.
TEST(Catalog, PublishedChecksumsArePinned) {
  const std::map<std::string, std::string> pinned = {
      {"mnist/train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
      {"mnist/train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"},
      {"mnist/t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"},
      {"mnist/t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"},
      {"fashion_mnist/train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
      {"fashion_mnist/train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"},
      {"fashion_mnist/t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"},
      {"fashion_mnist/t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"},
      {"cifar10/cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530"},
      {"cifar100/cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8"},
      {"svhn/train_32x32.mat", "e26dedcc434d2e4c54c9b2d4a06d8373"},
      {"svhn/test_32x32.mat", "eb5a983be6a315427106f1b164d9cef3"},
      {"sarcos/sarcos_inv.mat", ""},  // the GPML site publishes none
      {"sarcos/sarcos_inv_test.mat", ""},
      {"tiny_imagenet/tiny-imagenet-200.zip", "90528d7ca1a48142e341f4ef8d21d0de"},
      {"wikitext2/wikitext-2-raw-v1.zip",
       "ef7edb566e3e2b2d31b29c1fdb0c89a4cc683597484c3dc2517919c615435a11"},
      {"wikitext103/wikitext-103-raw-v1.zip",
       "91c00ae287f0d699e18605c84afc9e45c192bc6b7797ff8837e5474655a33794"},
      {"codeparrot/file-000000000054.json.gz", ""},  // none we could confirm
      // ../shared/data/gpt2-bpe/SHA256SUMS
      {"gpt2-bpe/encoder.json", "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"},
      {"gpt2-bpe/vocab.bpe", "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"},
  };
  std::map<std::string, std::string> actual;
  for (const auto& e : builtin_catalog()) {
    for (const auto& d : e.downloads) {
      actual[e.name + "/" + d.file_name] = d.sha256.empty() ? d.md5 : d.sha256;
    }
  }
  EXPECT_EQ(actual, pinned);
}

TEST(Catalog, UnknownNameListsTheAllowedOnes) {
  try {
    find_entry(builtin_catalog(), "mnsit");
    FAIL() << "no error";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown dataset 'mnsit'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("fashion_mnist, cifar10"), std::string::npos);
  }
  EXPECT_EQ(find_entry(builtin_catalog(), "svhn").name, "svhn");
}

TEST(Catalog, SearchDirsFollowTheReaders) {
  const auto dirs = search_dirs(find_entry(builtin_catalog(), "fashion_mnist"), "/r");
  EXPECT_EQ(dirs, (std::vector<fs::path>{"/r/fashion_mnist", "/r/fashion-mnist",
                                         "/usr/share/datasets/fashion-mnist"}));
  EXPECT_EQ(search_dirs(find_entry(builtin_catalog(), "cifar10"), "/r"),
            std::vector<fs::path>{"/r/cifar10"});
}

TEST(Md5, KnownVectors) {
  TempDir dir;
  write_file(dir / "empty", "");
  write_file(dir / "abc", "abc");
  write_file(dir / "fox", "The quick brown fox jumps over the lazy dog");
  EXPECT_EQ(md5_of_file(dir / "empty"), "d41d8cd98f00b204e9800998ecf8427e");  // RFC 1321
  EXPECT_EQ(md5_of_file(dir / "abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_of_file(dir / "fox"), "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_THROW(md5_of_file(dir / "nope"), DatasetError);
}

// Two reader files; the first is published as a checksummed download, the second is not.
DatasetEntry two_file_entry(const std::string& md5) {
  DatasetEntry e;
  e.name = "toy_set";
  e.description = "toy";
  e.task = "classification, 2 classes";
  e.files = {{{"a.bin.gz", "a.bin"}}, {{"sub/b.txt", "b.txt"}}};
  e.downloads = {
      {"a.bin.gz", "http://example.invalid/a.bin.gz", {}, ArchiveKind::none, md5, "test", "", ""}};
  return e;
}

TEST(InspectDataset, MissingPresentVerifiedMismatch) {
  TempDir root;
  const std::string bytes = "abc";
  const auto entry = two_file_entry("900150983cd24fb0d6963f7d28e17f72");

  auto status = inspect_dataset(entry, root.path());
  EXPECT_EQ(status.state, DatasetState::missing);
  EXPECT_EQ(status.folder, root / "toy_set");
  ASSERT_EQ(status.files.size(), 2u);
  EXPECT_TRUE(status.files[0].found.empty());
  EXPECT_EQ(status.checksums.at(0).state, ChecksumState::missing);

  // The raw name and the folder written with '-' are accepted, as the readers accept them.
  write_file(root / "toy-set" / "a.bin", "raw");
  write_file(root / "toy-set" / "b.txt", "b");
  status = inspect_dataset(entry, root.path());
  EXPECT_EQ(status.state, DatasetState::present);  // nothing to check the raw file against
  EXPECT_EQ(status.location, root / "toy-set");
  EXPECT_EQ(status.source, "data root");
  EXPECT_EQ(status.files[1].found, root / "toy-set" / "b.txt");

  write_file(root / "toy_set" / "a.bin.gz", bytes);
  status = inspect_dataset(entry, root.path());
  EXPECT_EQ(status.state, DatasetState::verified);
  EXPECT_EQ(status.checksums[0].state, ChecksumState::match);
  EXPECT_EQ(status.checksums[0].actual, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(status.location, root / "toy_set");  // <root>/<name> is searched first

  write_file(root / "toy_set" / "a.bin.gz", "abd");
  status = inspect_dataset(entry, root.path());
  EXPECT_EQ(status.state, DatasetState::present);
  EXPECT_EQ(status.checksums[0].state, ChecksumState::mismatch);
  EXPECT_EQ(status.checksums[0].expected, "900150983cd24fb0d6963f7d28e17f72");
}

TEST(InspectDataset, NoChecksumIsPresentNotVerified) {
  TempDir root;
  const auto entry = two_file_entry("");
  write_file(root / "toy_set" / "a.bin.gz", "x");
  write_file(root / "toy_set" / "sub" / "b.txt", "y");
  const auto status = inspect_dataset(entry, root.path());
  EXPECT_EQ(status.state, DatasetState::present);
  EXPECT_EQ(status.checksums[0].state, ChecksumState::no_checksum);
}

TEST(InspectDataset, FolderEntriesAndNoFiles) {
  TempDir root;
  DatasetEntry e;
  e.name = "imgs";
  e.files = {{{"set/train/", "train/"}}};
  EXPECT_EQ(inspect_dataset(e, root.path()).state, DatasetState::missing);
  write_file(root / "imgs" / "set" / "train", "a file, not a folder");
  EXPECT_EQ(inspect_dataset(e, root.path()).state, DatasetState::missing);
  fs::remove(root / "imgs" / "set" / "train");
  fs::create_directories(root / "imgs" / "set" / "train");
  EXPECT_EQ(inspect_dataset(e, root.path()).state, DatasetState::present);

  EXPECT_EQ(inspect_dataset(find_entry(builtin_catalog(), "csv"), root.path()).state,
            DatasetState::not_applicable);
}

// A distribution's copy is checked against the package manager's record, not the publisher's
// MD5 (Debian recompresses Fashion-MNIST's .gz files).
TEST(InspectDataset, SystemCopyIsCheckedAgainstThePackagesRecord) {
  TempDir root, system;
  auto entry = two_file_entry("00000000000000000000000000000000");
  write_file(system / "share" / "a.bin.gz", "abc");
  write_file(system / "share" / "b.txt", "b");
  const auto md5sums = system / "pkg.md5sums";
  write_file(md5sums, "900150983cd24fb0d6963f7d28e17f72  " +
                          (system / "share" / "a.bin.gz").relative_path().string() + "\n");
  entry.system_copies = {{system / "share", "toy-package", md5sums}};

  auto status = inspect_dataset(entry, root.path());
  EXPECT_EQ(status.state, DatasetState::verified);
  EXPECT_EQ(status.source, "Debian package toy-package");
  EXPECT_EQ(status.checksums[0].authority, "Debian package toy-package");

  write_file(md5sums, "ffffffffffffffffffffffffffffffff  " +
                          (system / "share" / "a.bin.gz").relative_path().string() + "\n");
  status = inspect_dataset(entry, root.path());
  EXPECT_EQ(status.state, DatasetState::present);
  EXPECT_EQ(status.checksums[0].state, ChecksumState::mismatch);
}

}  // namespace
}  // namespace comet::datasets
