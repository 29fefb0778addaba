#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "sweep_text.h"
#include "temp_dir.h"

#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

using namespace std::string_literals;

// Lines 1-6 of a valid sweep (tests/support/sweep_text.h).
const std::string& kBase = testing::kSweepLines1To6;

using testing::parse_error;

TEST(ParseSweep, QuickstartExample) {
  const std::string yaml =
      "name: quickstart\n"
      "dataset: fashion_mnist\n"
      "epochs: 3\n"
      "batch_size: 32\n"
      "optimizer: sgd\n"
      "lr: 1.0e-3\n"
      "activation: softplus\n"
      "depth: 4            # linear layers; the last one is the output layer\n"
      "grid:\n"
      "  model: [comet, standard]\n"
      "  width: [100, 500]\n"
      "  p_k: [0.1, 0.5]\n"
      "  seed: [0, 1]\n";
  SweepSpec spec = parse_sweep_text(yaml, "quickstart.yaml");
  EXPECT_EQ(spec.name, "quickstart");
  EXPECT_EQ(spec.source_path, "quickstart.yaml");
  EXPECT_EQ(spec.source_text, yaml);
  EXPECT_EQ(spec.fixed.canonical_json(),
            R"({"activation":"softplus","arch":"mlp","augment":"none","batch_size":32,)"
            R"("dataset":"fashion_mnist","depth":4,"epochs":3,"eval_batch_size":1024,)"
            R"("eval_test":"never","grad_clip":0.0,"grad_clip_mode":"norm",)"
            R"("lr":0.001,"norm":"none","optimizer":"sgd","schedule":"constant","split_seed":0,)"
            R"("task":"classification","train_limit":0,"val_fraction":0.2,"weight_decay":0.0})");
  ASSERT_EQ(spec.grids.size(), 1U);
  ASSERT_EQ(spec.grids[0].axes.size(), 4U);
  EXPECT_EQ(spec.grids[0].axes[0].key, "model");
  EXPECT_EQ(spec.grids[0].axes[0].values, (std::vector<ParamValue>{"comet"s, "standard"s}));
  EXPECT_EQ(spec.grids[0].axes[0].mark.to_string(), "quickstart.yaml:10:3");
  EXPECT_EQ(spec.grids[0].axes[1].key, "width");
  EXPECT_EQ(spec.grids[0].axes[1].values,
            (std::vector<ParamValue>{std::int64_t{100}, std::int64_t{500}}));
  EXPECT_EQ(spec.grids[0].axes[2].key, "p_k");
  EXPECT_EQ(spec.grids[0].axes[2].values, (std::vector<ParamValue>{0.1, 0.5}));
  EXPECT_EQ(spec.grids[0].axes[3].key, "seed");
  EXPECT_EQ(spec.grids[0].axes[3].mark.to_string(), "quickstart.yaml:13:3");
}

TEST(ParseSweep, GridAxesAreStoredInExpansionOrder) {
  SweepSpec spec = parse_sweep_text(
      "name: order\nepochs: 1\nlr: 0.1\nwidth: 10\n"
      "grid:\n  seed: [0, 1]\n  model: [comet]\n  p_k: [0.5]\n  split_seed: [3]\n"
      "  dataset: [mnist]\n  val_fraction: [0.1]\n  depth: [2]\n",
      "order.yaml");
  std::vector<std::string> keys;
  for (const GridAxis& axis : spec.grids.at(0).axes) keys.push_back(axis.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"dataset", "val_fraction", "split_seed", "model",
                                            "seed", "p_k", "depth"}));
}

TEST(ParseSweep, BlockListsQuotedScalarsAndIntegerRealsAreAccepted) {
  SweepSpec spec = parse_sweep_text(
      "name: t\ndataset: mnist\nmodel: comet\nepochs: 1\nwidth: 10\nseed: '7'\n"
      "grid:\n  lr:\n    - 0.1e0\n    - 2\n",
      "ok.yaml");
  EXPECT_EQ(spec.fixed.integer("seed"), 7);
  ASSERT_EQ(spec.grids.size(), 1U);
  ASSERT_EQ(spec.grids[0].axes.size(), 1U);
  EXPECT_EQ(spec.grids[0].axes[0].values, (std::vector<ParamValue>{0.1, 2.0}));
}

TEST(ParseSweep, AnEmptyGridIsOneTrial) {
  SweepSpec spec = parse_sweep_text(kBase + "grid: {}\n", "ok.yaml");
  ASSERT_EQ(spec.grids.size(), 1U);
  EXPECT_TRUE(spec.grids[0].axes.empty());
  EXPECT_EQ(expand_trials(spec).size(), 1U);
  EXPECT_EQ(spec.fixed.integer("width"), 10);
}

TEST(ParseSweep, NamesMayUseLettersDigitsAndUnderscoreDotDash) {
  std::string name(64, 'a');
  name.replace(1, 3, "_.-");
  SweepSpec spec = parse_sweep_text("name: " + name + kBase.substr(kBase.find('\n')), "ok.yaml");
  EXPECT_EQ(spec.name, name);
}

TEST(ParseSweepErrors, YamlSyntaxErrorCarriesTheParserMark) {
  EXPECT_EQ(parse_error(kBase + "grid:\n  width: [1, 2\n"),
            "bad.yaml:9:1: YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(parse_error("name: a: b\n"), "bad.yaml:1:8: YAML syntax error: illegal map value");
}

TEST(ParseSweepErrors, EmptyFile) {
  const std::string expected =
      "bad.yaml:1:1: the sweep file is empty; expected keys such as name:, dataset: and grid:";
  EXPECT_EQ(parse_error(""), expected);
  EXPECT_EQ(parse_error("# only a comment\n"), expected);
  EXPECT_EQ(parse_error("---\n"), expected);
}

TEST(ParseSweepErrors, TopLevelMustBeAMap) {
  EXPECT_EQ(parse_error("- name: t\n- lr: 1\n"),
            "bad.yaml:1:1: the top level must be a map of key: value lines, found a list");
  EXPECT_EQ(parse_error("just text\n"),
            "bad.yaml:1:1: the top level must be a map of key: value lines, found a single value");
}

TEST(ParseSweepErrors, SecondDocument) {
  EXPECT_EQ(parse_error(kBase + "---\nname: u\n"),
            "bad.yaml:8:1: a sweep file holds one YAML document; this is a second one");
}

TEST(ParseSweepErrors, DuplicateTopLevelKey) {
  EXPECT_EQ(parse_error(kBase + "lr: 0.2\n"),
            "bad.yaml:7:1: duplicate key 'lr' (first given at line 5); give each key once");
}

TEST(ParseSweepErrors, DuplicateGridKey) {
  EXPECT_EQ(parse_error(kBase + "grid:\n  seed: [0]\n  seed: [1]\n"),
            "bad.yaml:9:3: duplicate key 'seed' (first given at line 8); give each key once");
}

TEST(ParseSweepErrors, UnknownKeyWithSuggestion) {
  EXPECT_EQ(parse_error(kBase + "batchsize: 8\n"),
            "bad.yaml:7:1: unknown key 'batchsize'; did you mean 'batch_size'?");
  EXPECT_EQ(parse_error(kBase + "gird:\n  seed: [1]\n"),
            "bad.yaml:7:1: unknown key 'gird'; did you mean 'grid'?");
  EXPECT_EQ(parse_error(kBase + "grid:\n  seeds: [1]\n"),
            "bad.yaml:8:3: unknown grid key 'seeds'; did you mean 'seed'?");
}

TEST(ParseSweepErrors, UnknownKeyWithoutSuggestionListsTheKeys) {
  EXPECT_EQ(
      parse_error(kBase + "colour: red\n"),
      "bad.yaml:7:1: unknown key 'colour'; known keys: name, grid, grids, dataset, model, epochs, "
      "batch_size, optimizer, lr, weight_decay, schedule, grad_clip, grad_clip_mode, "
      "activation, arch, norm, depth, width, p_k, task, seed, val_fraction, split_seed, "
      "train_limit, eval_batch_size, augment, eval_test, dim, patch, dropout, heads, dim_head, "
      "emb_dropout, token_width, size, block_size, vocab, grad_accum, eval_every, eval_blocks, "
      "max_steps, max_hours, precision, warmup_steps, moe.gate, topk.on, bernoulli.p, "
      "example_tied.p, "
      "l1.lambda, cifar100.labels, sarcos.target, csv.file, csv.target, csv.test_file, "
            "text.file, text.field, text.val_file, "
      "synthetic_clusters.dims, synthetic_clusters.classes, synthetic_clusters.separation, "
      "synthetic_clusters.count, synthetic_clusters.seed");
  EXPECT_EQ(
      parse_error(kBase + "grid:\n  colour: [red]\n"),
      "bad.yaml:8:3: unknown grid key 'colour'; known keys: dataset, model, epochs, "
      "batch_size, optimizer, lr, weight_decay, schedule, grad_clip, grad_clip_mode, "
      "activation, arch, norm, depth, width, p_k, task, seed, val_fraction, split_seed, "
      "train_limit, eval_batch_size, augment, eval_test, dim, patch, dropout, heads, dim_head, "
      "emb_dropout, token_width, size, block_size, vocab, grad_accum, eval_every, eval_blocks, "
      "max_steps, max_hours, precision, warmup_steps, moe.gate, topk.on, bernoulli.p, "
      "example_tied.p, "
      "l1.lambda, cifar100.labels, sarcos.target, csv.file, csv.target, csv.test_file, "
            "text.file, text.field, text.val_file, "
      "synthetic_clusters.dims, synthetic_clusters.classes, synthetic_clusters.separation, "
      "synthetic_clusters.count, synthetic_clusters.seed");
}

TEST(ParseSweepErrors, KeysMustBePlainNames) {
  EXPECT_EQ(parse_error(kBase + "? [a, b]\n: 1\n"),
            "bad.yaml:7:3: a key must be a plain name, not a list");
}

TEST(ParseSweepErrors, ValueOfTheWrongKind) {
  EXPECT_EQ(parse_error(kBase + "seed: [0, 1]\n"),
            "bad.yaml:7:7: seed: expected one value (an integer >= 0), found a list; to sweep "
            "over several values, move it under grid:");
  EXPECT_EQ(parse_error(kBase + "seed: {a: 1}\n"),
            "bad.yaml:7:7: seed: expected one value (an integer >= 0), found a map");
  EXPECT_EQ(parse_error(kBase + "seed:\n"),
            "bad.yaml:7:1: seed has no value; allowed: an integer >= 0");
}

TEST(ParseSweepErrors, IntegerKeysRejectRealText) {
  EXPECT_EQ(parse_error("name: t\ndataset: mnist\nmodel: comet\nepochs: 3.0\nlr: 0.1\nwidth: 10\n"),
            "bad.yaml:4:9: epochs: 3.0 is not an integer; allowed: an integer >= 1");
  EXPECT_EQ(parse_error("name: t\ndataset: mnist\nmodel: comet\nepochs: 1e3\nlr: 0.1\nwidth: 10\n"),
            "bad.yaml:4:9: epochs: 1e3 is not an integer; allowed: an integer >= 1");
}

TEST(ParseSweepErrors, OutOfRangeValue) {
  EXPECT_EQ(parse_error(kBase + "p_k: 1.5\n"),
            "bad.yaml:7:6: p_k: 1.5 is out of range; allowed: a real in (0, 1]");
}

TEST(ParseSweepErrors, NonFiniteReal) {
  EXPECT_EQ(parse_error(kBase + "weight_decay: .inf\n"),
            "bad.yaml:7:15: weight_decay: .inf is not a finite real number; allowed: a real >= 0");
  EXPECT_EQ(parse_error(kBase + "weight_decay: nan\n"),
            "bad.yaml:7:15: weight_decay: nan is not a finite real number; allowed: a real >= 0");
}

TEST(ParseSweepErrors, ChoiceNamesTheChoices) {
  EXPECT_EQ(parse_error(kBase + "activation: ReLU\n"),
            "bad.yaml:7:13: activation: 'ReLU' is not one of the choices (did you mean 'relu'?); "
            "allowed: one of: tanh, relu, softplus, gelu, silu, mish, elu, selu, leaky_relu, "
            "sigmoid, gelu_new");
}

TEST(ParseSweepErrors, BadName) {
  const std::string allowed =
      "allowed: 1 to 64 characters from A-Z a-z 0-9 _ . -, starting with a letter or a digit";
  std::string rest = kBase.substr(kBase.find('\n'));
  EXPECT_EQ(parse_error("name: my sweep" + rest),
            "bad.yaml:1:7: name: 'my sweep' is not allowed; " + allowed);
  EXPECT_EQ(parse_error("name: _hidden" + rest),
            "bad.yaml:1:7: name: '_hidden' is not allowed; " + allowed);
  EXPECT_EQ(parse_error("name: a/b" + rest),
            "bad.yaml:1:7: name: 'a/b' is not allowed; " + allowed);
  EXPECT_EQ(parse_error("name: " + std::string(65, 'a') + rest),
            "bad.yaml:1:7: name: '" + std::string(65, 'a') + "' is not allowed; " + allowed);
  EXPECT_EQ(parse_error("name: [a]" + rest),
            "bad.yaml:1:7: name: expected one value, found a list; " + allowed);
}

TEST(ParseSweepErrors, MissingName) {
  EXPECT_EQ(parse_error(kBase.substr(kBase.find('\n') + 1)),
            "bad.yaml:1:1: missing required key name (1 to 64 characters from A-Z a-z 0-9 _ . -)");
}

TEST(ParseSweepErrors, MissingRequiredKeys) {
  EXPECT_EQ(parse_error("name: t\ndataset: mnist\nmodel: comet\nwidth: 10\nepochs: 2\n"),
            "bad.yaml:1:1: missing required key lr (a real > 0); give it at top level or under "
            "grid:");
  EXPECT_EQ(parse_error("name: t\ndataset: mnist\nmodel: comet\nwidth: 10\n"),
            "bad.yaml:1:1: missing required keys epochs (an integer >= 1), lr (a real > 0); give "
            "each at top level or under grid:");
}

TEST(ParseSweepErrors, GridValuesMustBeLists) {
  EXPECT_EQ(parse_error(kBase + "grid:\n  seed: 3\n"),
            "bad.yaml:8:9: grid values must be lists; seed is a single value (write seed: [a, b] "
            "or, for one value, seed: [a])");
  EXPECT_EQ(parse_error(kBase + "grid:\n  seed: {a: 1}\n"),
            "bad.yaml:8:9: grid values must be lists; seed is a map (write seed: [a, b] or, for "
            "one value, seed: [a])");
}

TEST(ParseSweepErrors, GridMustBeAMap) {
  EXPECT_EQ(parse_error(kBase + "grid: [1, 2]\n"),
            "bad.yaml:7:7: grid must be a map of key: [values], found a list; for several grids "
            "write grids: with a list of such maps");
  EXPECT_EQ(parse_error(kBase + "grid:\n"),
            "bad.yaml:7:1: grid must be a map of key: [values], found nothing");
}

TEST(ParseSweepErrors, EmptyAxis) {
  EXPECT_EQ(parse_error(kBase + "grid:\n  seed: []\n"),
            "bad.yaml:8:9: grid axis 'seed' is an empty list; give at least one value");
}

TEST(ParseSweepErrors, AxisItemsAreSingleValues) {
  EXPECT_EQ(parse_error(kBase + "grid:\n  seed: [0, [1, 2]]\n"),
            "bad.yaml:8:13: grid axis 'seed': each item must be one value (an integer >= 0), "
            "found a list");
}

TEST(ParseSweepErrors, AxisValuesAreChecked) {
  EXPECT_EQ(parse_error(kBase + "grid:\n  p_k: [0.5,\n        1.5]\n"),
            "bad.yaml:9:9: p_k: 1.5 is out of range; allowed: a real in (0, 1]");
}

TEST(ParseSweepErrors, DuplicateAxisValue) {
  EXPECT_EQ(parse_error(kBase + "grid:\n  p_k: [0.5, 0.1, 0.5]\n"),
            "bad.yaml:8:19: grid axis 'p_k' lists 0.5 twice (first at line 8, column 9); give "
            "each value once");
}

TEST(ParseSweepErrors, DuplicateAxisValueAfterNormalisation) {
  EXPECT_EQ(parse_error(kBase + "grid:\n  weight_decay: [1, 1.0e0]\n"),
            "bad.yaml:8:21: grid axis 'weight_decay' lists 1.0 twice (first at line 8, column "
            "18); give each value once");
}

TEST(ParseSweepErrors, KeyBothFixedAndInGrid) {
  EXPECT_EQ(parse_error(kBase + "grid:\n  width: [10, 20]\n"),
            "bad.yaml:8:3: width is given both at top level (line 6) and under grid:; give it in "
            "one place");
}

TEST(ParseSweepErrors, NameIsNotAGridAxis) {
  EXPECT_EQ(parse_error(kBase + "grid:\n  name: [a, b]\n"),
            "bad.yaml:8:3: name cannot be a grid axis: a sweep has one name");
}

TEST(ParseSweepFile, MissingFileNamesThePath) {
  comet::testing::TempDir dir;
  std::filesystem::path missing = dir / "missing.yaml";
  try {
    parse_sweep_file(missing);
    FAIL() << "no error";
  } catch (const SweepError& error) {
    EXPECT_EQ(std::string(error.what()),
              missing.string() + ": cannot read the sweep file: no such file");
    EXPECT_EQ(error.mark().file, missing.string());
  }
}

TEST(ParseSweepFile, AFolderIsNotASweepFile) {
  comet::testing::TempDir dir;
  try {
    parse_sweep_file(dir.path());
    FAIL() << "no error";
  } catch (const SweepError& error) {
    EXPECT_EQ(std::string(error.what()),
              dir.path().string() + ": cannot read the sweep file: it is a folder");
  }
}

TEST(ParseSweepFile, ReadsTheFileAndNamesErrorsByItsPath) {
  comet::testing::TempDir dir;
  std::filesystem::path path = dir / "sweep.yaml";
  std::ofstream(path) << kBase;
  SweepSpec spec = parse_sweep_file(path);
  EXPECT_EQ(spec.name, "t");
  EXPECT_EQ(spec.source_path, path.string());
  EXPECT_EQ(spec.source_text, kBase);

  std::ofstream(path) << kBase << "epochs: 2\n";
  try {
    parse_sweep_file(path);
    FAIL() << "no error";
  } catch (const SweepError& error) {
    EXPECT_EQ(
        std::string(error.what()),
        path.string() + ":7:1: duplicate key 'epochs' (first given at line 4); give each key once");
  }
}

}  // namespace
}  // namespace comet::sweeps
