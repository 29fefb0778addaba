// The built-in catalog. Every MD5 below was checked against a published source (named in
// `checksum_source`); a file whose checksum could not be confirmed carries none, never a guess.

#include "comet/datasets/catalog.h"

#include <algorithm>

#include "comet/datasets/dataset.h"

namespace comet::datasets {
namespace {

constexpr const char* kTorchvisionMnist = "torchvision/datasets/mnist.py (MNIST.resources)";
constexpr const char* kTorchvisionFashion =
    "torchvision/datasets/mnist.py (FashionMNIST.resources)";
constexpr const char* kTorontoPage = "https://www.cs.toronto.edu/~kriz/cifar.html";
constexpr const char* kTorchvisionSvhn = "torchvision/datasets/svhn.py (SVHN.split_list)";

// The four IDX files of the MNIST family, each accepted gzip-compressed or raw.
std::vector<ExpectedFile> idx_files() {
  std::vector<ExpectedFile> files;
  for (const char* stem : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    files.push_back({{std::string(stem) + ".gz", stem}});
  }
  return files;
}

std::vector<DownloadFile> idx_downloads(const std::string& base,
                                        const std::vector<std::string>& fallback_bases,
                                        const std::vector<std::string>& md5s,
                                        const std::string& source) {
  const std::vector<std::string> names = {"train-images-idx3-ubyte.gz",
                                          "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                                          "t10k-labels-idx1-ubyte.gz"};
  std::vector<DownloadFile> out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    DownloadFile d;
    d.file_name = names[i];
    d.url = base + names[i];
    for (const auto& fallback : fallback_bases) d.fallback_urls.push_back(fallback + names[i]);
    d.archive = ArchiveKind::none;  // the IDX reader reads the .gz itself
    d.md5 = md5s[i];
    d.checksum_source = source;
    out.push_back(std::move(d));
  }
  return out;
}

// A CIFAR batch file, inside the archive's folder or copied without it (as the reader accepts).
ExpectedFile cifar_file(const std::string& folder, const std::string& name) {
  return {{folder + "/" + name, name}};
}

// GPT-2's tokenizer files as OpenAI publishes them. OpenAI prints no checksum; these SHA-256s
// are those of the files every GPT-2 port downloads from that URL (../shared/data/gpt2-bpe/
// SHA256SUMS), pinned so that a changed file is noticed.
DatasetEntry gpt2_bpe_entry() {
  DatasetEntry e;
  e.name = kGpt2BpeEntry;
  e.description = "the GPT-2 tokenizer's vocabulary (encoder.json) and merges (vocab.bpe)";
  e.task = "tokenizer files, 50,257 ids (not a dataset)";
  e.files = {{{"encoder.json"}}, {{"vocab.bpe"}}};
  const std::string base = "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/";
  for (const auto& [file, sha256] :
       {std::pair<const char*, const char*>{
            "encoder.json", "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"},
        {"vocab.bpe", "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"}}) {
    DownloadFile d;
    d.file_name = file;
    d.url = base + file;
    d.archive = ArchiveKind::none;
    d.sha256 = sha256;
    d.checksum_source = "SHA-256 of OpenAI's published file (docs/tokenizer.md)";
    e.downloads.push_back(std::move(d));
  }
  e.homepage = "https://github.com/openai/gpt-2";
  return e;
}

// WikiText's raw (untokenized) version. Salesforce publishes no checksum; the SHA-256s are the
// ones downloaders pin for these zips (JuliaText/CorpusLoaders.jl's DataDeps registration for
// both; llama.cpp's get-wikitext-2.sh mirror for WikiText-2, 4,721,645 bytes).
DatasetEntry wikitext_entry(const std::string& name, const std::string& stem,
                            const std::string& folder, const std::string& sha256,
                            const std::string& description) {
  DatasetEntry e;
  e.name = name;
  e.description = description;
  e.task = "language modeling, GPT-2 tokens (gpt2-bpe) in blocks of block_size";
  for (const char* part : {"train", "valid", "test"}) {
    const std::string raw = std::string("wiki.") + part + ".raw";
    e.files.push_back({{folder + "/" + raw, raw, std::string(part) + ".txt"}});
  }
  DownloadFile d;
  d.file_name = stem + ".zip";
  d.url = "https://s3.amazonaws.com/research.metamind.io/wikitext/" + d.file_name;
  d.fallback_urls = {"https://wikitext.smerity.com/" + d.file_name};
  d.archive = ArchiveKind::zip;
  d.sha256 = sha256;
  d.checksum_source =
      "SHA-256 pinned by JuliaText/CorpusLoaders.jl (src/WikiText.jl); not published by "
      "Salesforce";
  d.unpacks_to = folder + "/ (wiki.train.raw, wiki.valid.raw, wiki.test.raw)";
  e.downloads.push_back(std::move(d));
  e.homepage =
      "https://blog.salesforceairesearch.com/the-wikitext-long-term-dependency-language-"
      "modeling-dataset/";
  return e;
}

std::vector<DatasetEntry> text_corpus_entries() {
  std::vector<DatasetEntry> out;
  out.push_back(wikitext_entry(
      "wikitext2", "wikitext-2-raw-v1", "wikitext-2-raw",
      "ef7edb566e3e2b2d31b29c1fdb0c89a4cc683597484c3dc2517919c615435a11",
      "WikiText-2 (raw): 600 / 60 / 60 Wikipedia Good and Featured articles, ~2M words"));
  out.push_back(
      wikitext_entry("wikitext103", "wikitext-103-raw-v1", "wikitext-103-raw",
                     "91c00ae287f0d699e18605c84afc9e45c192bc6b7797ff8837e5474655a33794",
                     "WikiText-103 (raw): 28,475 / 60 / 60 Wikipedia articles, ~103M words"));

  // A documented subset of CodeParrot: the validation file of codeparrot-clean-valid (Python
  // files from GitHub, JSON lines with a `content` field). The Hub prints no checksum we could
  // confirm from here, so none is pinned.
  DatasetEntry code;
  code.name = "codeparrot";
  code.description =
      "CodeParrot (subset): codeparrot-clean-valid's file-000000000054.json, Python files "
      "from GitHub, one JSON line each";
  code.task = "language modeling, GPT-2 tokens (gpt2-bpe) in blocks of block_size";
  code.files = {{{"file-000000000054.json"}}};
  DownloadFile d;
  d.file_name = "file-000000000054.json.gz";
  d.url = "https://huggingface.co/datasets/codeparrot/codeparrot-clean-valid/resolve/main/" +
          d.file_name;
  d.archive = ArchiveKind::gz;
  code.downloads.push_back(std::move(d));
  code.homepage = "https://huggingface.co/datasets/codeparrot/codeparrot-clean-valid";
  out.push_back(std::move(code));

  DatasetEntry stdlib;
  stdlib.name = "python_stdlib";
  stdlib.description =
      "the .py files of Debian's libpython3.11-stdlib: a code corpus that needs no download, "
      "split by file (docs/datasets.md)";
  stdlib.task = "language modeling, GPT-2 tokens (gpt2-bpe) in blocks of block_size";
  stdlib.no_files_reason = "Debian's libpython3.11-stdlib, in /usr/lib/python3.11";
  out.push_back(std::move(stdlib));

  DatasetEntry text;
  text.name = "text";
  text.description = "your own UTF-8 text, or a field of JSON lines (text.file, text.field)";
  text.task = "language modeling, GPT-2 tokens (gpt2-bpe) in blocks of block_size";
  text.no_files_reason = "the user's file, named by text.file";
  out.push_back(std::move(text));
  return out;
}

DatasetCatalog make_catalog() {
  DatasetCatalog c;

  c.push_back(
      {"mnist",
       "handwritten digits, 28x28 grey, 60,000 training and 10,000 test images",
       "classification, 10 classes",
       idx_files(),
       idx_downloads("http://yann.lecun.com/exdb/mnist/",
                     {"https://ossci-datasets.s3.amazonaws.com/mnist/"},
                     {"f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
                      "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"},
                     kTorchvisionMnist),
       {},
       "http://yann.lecun.com/exdb/mnist/",
       "",
       ""});

  c.push_back(
      {"fashion_mnist",
       "Zalando's clothing images, 28x28 grey, 60,000 training and 10,000 test images",
       "classification, 10 classes",
       idx_files(),
       idx_downloads("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", {},
                     {"8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
                      "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"},
                     kTorchvisionFashion),
       {{"/usr/share/datasets/fashion-mnist", "dataset-fashion-mnist",
         "/var/lib/dpkg/info/dataset-fashion-mnist.md5sums"}},
       "https://github.com/zalandoresearch/fashion-mnist",
       "",
       ""});

  std::vector<ExpectedFile> cifar10_files;
  for (int i = 1; i <= 5; ++i) {
    cifar10_files.push_back(
        cifar_file("cifar-10-batches-bin", "data_batch_" + std::to_string(i) + ".bin"));
  }
  cifar10_files.push_back(cifar_file("cifar-10-batches-bin", "test_batch.bin"));
  c.push_back({"cifar10",
               "32x32 colour images of 10 object classes, 50,000 training and 10,000 test "
               "(binary version)",
               "classification, 10 classes",
               cifar10_files,
               {{"cifar-10-binary.tar.gz",
                 "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                 {},
                 ArchiveKind::tar_gz,
                 "c32a1d4ab5d03f1284b67883e8d87530",
                 kTorontoPage,
                 "cifar-10-batches-bin/",
                 ""}},
               {},
               kTorontoPage,
               "",
               ""});

  c.push_back(
      {"cifar100",
       "32x32 colour images of 100 classes in 20 superclasses, 50,000 training and "
       "10,000 test (binary version)",
       "classification, 100 fine or 20 coarse classes (cifar100.labels)",
       {cifar_file("cifar-100-binary", "train.bin"), cifar_file("cifar-100-binary", "test.bin")},
       {{"cifar-100-binary.tar.gz",
         "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
         {},
         ArchiveKind::tar_gz,
         "03b5dce01913d631647c71ecec9e9cb8",
         kTorontoPage,
         "cifar-100-binary/",
         ""}},
       {},
       kTorontoPage,
       "",
       ""});

  c.push_back(
      {"svhn",
       "Street View House Numbers, cropped 32x32 colour digits, 73,257 training and 26,032 test",
       "classification, 10 classes",
       {{{"train_32x32.mat"}}, {{"test_32x32.mat"}}},
       {{"train_32x32.mat",
         "http://ufldl.stanford.edu/housenumbers/train_32x32.mat",
         {},
         ArchiveKind::none,
         "e26dedcc434d2e4c54c9b2d4a06d8373",
         kTorchvisionSvhn,
         "",
         ""},
        {"test_32x32.mat",
         "http://ufldl.stanford.edu/housenumbers/test_32x32.mat",
         {},
         ArchiveKind::none,
         "eb5a983be6a315427106f1b164d9cef3",
         kTorchvisionSvhn,
         "",
         ""}},
       {},
       "http://ufldl.stanford.edu/housenumbers/",
       "",
       ""});

  // The GPML book's site publishes no checksums for these two files.
  c.push_back({"sarcos",
               "inverse dynamics of a 7-joint SARCOS arm: 21 inputs, 44,484 training and 4,449 "
               "test rows",
               "regression, 1 of 7 joint torques (sarcos.target)",
               {{{"sarcos_inv.mat"}}, {{"sarcos_inv_test.mat"}}},
               {{"sarcos_inv.mat",
                 "http://www.gaussianprocess.org/gpml/data/sarcos_inv.mat",
                 {},
                 ArchiveKind::none,
                 "",
                 "",
                 "",
                 ""},
                {"sarcos_inv_test.mat",
                 "http://www.gaussianprocess.org/gpml/data/sarcos_inv_test.mat",
                 {},
                 ArchiveKind::none,
                 "",
                 "",
                 "",
                 ""}},
               {},
               "http://www.gaussianprocess.org/gpml/data/",
               "",
               ""});

  // Stanford publishes no checksum; this MD5 is the one every downloader we found agrees on
  // (e.g. ContinualAI/avalanche, benchmarks/datasets/tiny_imagenet/tiny_imagenet.py).
  c.push_back({"tiny_imagenet",
               "64x64 colour images of 200 ImageNet classes, 100,000 training and 10,000 "
               "validation (used as the test split)",
               "classification, 200 classes",
               {{{"tiny-imagenet-200/wnids.txt", "wnids.txt"}},
                {{"tiny-imagenet-200/train/", "train/"}},
                {{"tiny-imagenet-200/val/val_annotations.txt", "val/val_annotations.txt"}}},
               {{"tiny-imagenet-200.zip",
                 "http://cs231n.stanford.edu/tiny-imagenet-200.zip",
                 {},
                 ArchiveKind::zip,
                 "90528d7ca1a48142e341f4ef8d21d0de",
                 "ContinualAI/avalanche tiny_imagenet.py (not published by Stanford)",
                 "tiny-imagenet-200/ (wnids.txt, train/, val/, test/)",
                 ""}},
               {},
               "http://cs231n.stanford.edu/",
               "",
               ""});

  c.push_back({"csv",
               "your own table: a CSV file named by csv.file in the sweep",
               "classification or regression (csv.task)",
               {},
               {},
               {},
               "",
               "the user's CSV file, named by csv.file",
               ""});

  c.push_back({"synthetic_clusters",
               "Gaussian clusters generated from a seed (synthetic_clusters.* keys)",
               "classification, synthetic_clusters.classes classes",
               {},
               {},
               {},
               "",
               "generated in memory",
               ""});
  for (auto& corpus : text_corpus_entries()) c.push_back(std::move(corpus));
  c.push_back(gpt2_bpe_entry());
  return c;
}

}  // namespace

std::string_view to_string(ArchiveKind kind) {
  switch (kind) {
    case ArchiveKind::none:
      return "none";
    case ArchiveKind::tar_gz:
      return "tar.gz";
    case ArchiveKind::zip:
      return "zip";
    case ArchiveKind::gz:
      return "gz";
  }
  return "none";
}

const DatasetCatalog& builtin_catalog() {
  static const DatasetCatalog catalog = make_catalog();
  return catalog;
}

const DatasetEntry& find_entry(const DatasetCatalog& catalog, std::string_view name) {
  const auto it = std::find_if(catalog.begin(), catalog.end(),
                               [&](const DatasetEntry& e) { return e.name == name; });
  if (it != catalog.end()) return *it;
  std::string allowed;
  for (const auto& e : catalog) allowed += (allowed.empty() ? "" : ", ") + e.name;
  throw DatasetError("unknown dataset '" + std::string(name) + "'; allowed: " + allowed);
}

std::vector<std::filesystem::path> search_dirs(const DatasetEntry& entry,
                                               const std::filesystem::path& data_root) {
  std::vector<std::filesystem::path> dirs = {data_root / entry.name};
  auto dashed = entry.name;
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  if (dashed != entry.name) dirs.push_back(data_root / dashed);
  for (const auto& copy : entry.system_copies) dirs.push_back(copy.dir);
  return dirs;
}

}  // namespace comet::datasets
