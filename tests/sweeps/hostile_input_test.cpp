// Sweep files written by someone (or something) hostile: binary bytes, huge files, deep
// nesting, values that would drive a terminal or escape a folder, lists built to exhaust time or
// memory. Each is one SweepError naming where and what is allowed, never a crash or a hang.

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "sweep_text.h"
#include "temp_dir.h"

#include "comet/sweeps/param_schema.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::sweeps {
namespace {

using testing::parse_error;

// Lines 1-6 of a valid sweep (tests/support/sweep_text.h).
const std::string& kHostileBase = testing::kSweepLines1To6;

// The SweepError of parse_sweep_file on a file holding `bytes`, written in `dir`.
std::string hostile_file_error(const testing::TempDir& dir, const std::string& bytes) {
  const auto path = dir / "s.yaml";
  std::ofstream(path, std::ios::binary) << bytes;
  try {
    parse_sweep_file(path);
  } catch (const SweepError& error) {
    return error.what();
  }
  return "no error";
}

bool has_control_byte(const std::string& text) {
  for (char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

TEST(HostileBytes, NulByteNamesItsPlace) {
  EXPECT_EQ(parse_error(kHostileBase + std::string("seed: 1\0\n", 9)),
            "bad.yaml:7:8: the sweep file holds a NUL byte (is it a binary file?); a sweep file "
            "is YAML text in UTF-8");
}

TEST(HostileBytes, BinaryGarbageIsNotAYamlError) {
  // The start of an ELF executable: DEL, then "ELF", then control bytes and NULs.
  const std::string elf(
      "\x7f"
      "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0",
      20);
  EXPECT_EQ(parse_error(elf),
            "bad.yaml:1:1: the sweep file holds the control character 0x7f; a sweep file is YAML "
            "text in UTF-8 (tabs and line breaks are the only control characters allowed)");
  // gzip: invalid UTF-8 in the second byte.
  EXPECT_EQ(parse_error(std::string("\x1f\x8b\x08", 3)),
            "bad.yaml:1:1: the sweep file holds the control character 0x1f; a sweep file is YAML "
            "text in UTF-8 (tabs and line breaks are the only control characters allowed)");
  EXPECT_EQ(parse_error("name: t\n\x8b\x07"),
            "bad.yaml:2:1: the sweep file holds the byte 0x8b, which is not UTF-8 here (is it "
            "Latin-1 or a binary file?); a sweep file is YAML text in UTF-8");
}

TEST(HostileBytes, TerminalEscapesInTheFileAreRefused) {
  EXPECT_EQ(parse_error("name: t\x1b[2J\n"),
            "bad.yaml:1:8: the sweep file holds the control character 0x1b; a sweep file is YAML "
            "text in UTF-8 (tabs and line breaks are the only control characters allowed)");
}

TEST(HostileBytes, Latin1IsNotUtf8AndColumnsCountCharacters) {
  // "é" in UTF-8 is one column; the Latin-1 byte after it is the error.
  EXPECT_EQ(parse_error("name: t\n# caf\xc3\xa9 caf\xe9\n"),
            "bad.yaml:2:11: the sweep file holds the byte 0xe9, which is not UTF-8 here (is it "
            "Latin-1 or a binary file?); a sweep file is YAML text in UTF-8");
  // Overlong forms and UTF-16 surrogates are not UTF-8 either.
  EXPECT_NE(
      parse_error("name: \xc0\xaf\n").find("bad.yaml:1:7: the sweep file holds the byte 0xc0"),
      std::string::npos);
  EXPECT_NE(parse_error("name: \xed\xa0\x80\n")
                .find("bad.yaml:1:7: the sweep file holds the byte "
                      "0xed"),
            std::string::npos);
}

TEST(HostileBytes, Utf16IsNamed) {
  EXPECT_EQ(parse_error(std::string("\xff\xfen\0a\0", 6)),
            "bad.yaml:1:1: the sweep file is UTF-16 (it starts with a byte order mark); a sweep "
            "file is YAML text in UTF-8: save it as UTF-8");
}

TEST(HostileBytes, Utf8WithAByteOrderMarkAndTabsInCommentsParse) {
  SweepSpec spec = parse_sweep_text("\xef\xbb\xbf" + kHostileBase + "#\tnote\r\n", "bom.yaml");
  EXPECT_EQ(spec.name, "t");
}

TEST(HostileBytes, EscapedControlCharactersInValuesAreShownEscaped) {
  // YAML escapes turn into control bytes after the byte check: the message shows them escaped.
  const std::string error = parse_error("name: \"a\\e[2Jb\"\n");
  EXPECT_EQ(error,
            "bad.yaml:1:7: name: 'a\\x1b[2Jb' is not allowed; allowed: 1 to 64 characters from "
            "A-Z a-z 0-9 _ . -, starting with a letter or a digit");
  EXPECT_FALSE(has_control_byte(error));
  const std::string choice = parse_error(kHostileBase + "optimizer: \"adam\\0\\a\"\n");
  EXPECT_EQ(choice,
            "bad.yaml:7:12: optimizer: 'adam\\x00\\x07' is not one of the choices (did you mean "
            "'adam'?); allowed: one of: sgd, sgd_momentum, adam, adamw");
  EXPECT_FALSE(has_control_byte(choice));
}

TEST(HostileBytes, TextValuesRejectControlCharactersAndInvalidUtf8) {
  const std::string csv =
      "name: t\ndataset: csv\nmodel: comet\nepochs: 1\nlr: 0.1\nwidth: 10\n"
      "csv.target: y\n";
  // A NUL would cut the path short when it is opened.
  EXPECT_EQ(parse_error(csv + "csv.file: \"data.csv\\0../../etc/passwd\"\n"),
            "bad.yaml:8:11: csv.file: 'data.csv\\x00../../etc/passwd' holds a control character; "
            "allowed: UTF-8 text without control characters");
  EXPECT_EQ(parse_error(csv + "csv.file: \"a\\nb\"\n"),
            "bad.yaml:8:11: csv.file: 'a\\x0ab' holds a control character; allowed: UTF-8 text "
            "without control characters");
  // yaml-cpp refuses a lone surrogate escape itself; invalid UTF-8 that reaches a text value
  // (from a spec built in code, say) is refused by the schema.
  EXPECT_EQ(parse_error(csv + "csv.file: \"a\\ud800\"\n"),
            "bad.yaml:8:19: YAML syntax error: invalid unicode: 55296");
  ParamValue invalid = std::string("a\xff.csv");
  EXPECT_EQ(find_param("csv.file")->check(invalid),
            "csv.file: 'a\\xff.csv' holds invalid UTF-8; allowed: UTF-8 text without control "
            "characters");
  EXPECT_EQ(
      parse_sweep_text(csv + "csv.file: \"caf\\u00e9.csv\"\n", "ok.yaml").fixed.text("csv.file"),
      "caf\xc3\xa9.csv");
}

TEST(HostileSize, TextOverOneMebibyteIsRefusedBeforeParsing) {
  std::string text = kHostileBase + "# " + std::string(kMaxSweepFileBytes, 'x') + "\n";
  EXPECT_EQ(parse_error(text), "bad.yaml: the sweep file has " + std::to_string(text.size()) +
                                   " bytes, more than the 1048576 bytes (1 MiB) a sweep file "
                                   "may have; is it the right file?");
  // Exactly at the limit is fine.
  std::string at_limit = kHostileBase + "#";
  at_limit += std::string(kMaxSweepFileBytes - at_limit.size() - 1, 'x') + "\n";
  ASSERT_EQ(at_limit.size(), kMaxSweepFileBytes);
  EXPECT_EQ(parse_sweep_text(at_limit, "ok.yaml").name, "t");
}

TEST(HostileSize, HugeFileIsRefusedByItsSize) {
  testing::TempDir dir;
  const std::string error = hostile_file_error(dir, std::string(3 * kMaxSweepFileBytes, '\0'));
  EXPECT_EQ(error, (dir / "s.yaml").string() +
                       ": the sweep file has 3145728 bytes, more than the 1048576 bytes (1 MiB) a "
                       "sweep file may have; is it the right file?");
}

TEST(HostileSize, EndlessDeviceIsReadOnlyUpToTheLimit) {
  if (!std::filesystem::exists("/dev/zero")) GTEST_SKIP() << "no /dev/zero";
  try {
    parse_sweep_file("/dev/zero");
    ADD_FAILURE() << "no error";
  } catch (const SweepError& error) {
    EXPECT_STREQ(error.what(),
                 "/dev/zero: the sweep file has more than the 1048576 bytes (1 MiB) a sweep file "
                 "may have; is it the right file?");
  }
}

// What parse_sweep_file(path) throws ("no error" if nothing), read in a child process that runs as
// user `nobody` when this one is root (permissions do not stop root; CI runs as root), as the
// storage tests run comet. nullopt where that cannot be done (no user nobody).
std::optional<std::string> unreadable_error(const std::filesystem::path& path) {
  const auto parse = [&]() -> std::string {
    try {
      parse_sweep_file(path);
    } catch (const SweepError& error) {
      return error.what();
    }
    return "no error";
  };
  if (::geteuid() != 0) return parse();
  const passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) return std::nullopt;
  int fds[2];
  if (::pipe(fds) != 0) return std::nullopt;
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    std::string message = "cannot become nobody";
    if (::setgid(nobody->pw_gid) == 0 && ::setuid(nobody->pw_uid) == 0) message = parse();
    const auto written = ::write(fds[1], message.data(), message.size());
    ::_exit(written == static_cast<ssize_t>(message.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return message;
}

TEST(HostileSize, UnreadableFileNamesTheReason) {
  testing::TempDir dir;
  const auto path = dir / "locked.yaml";
  std::ofstream(path) << kHostileBase;
  std::filesystem::permissions(path, std::filesystem::perms::none);
  // nobody must reach the file: the folder is open to all (the file itself is not).
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
  const auto error = unreadable_error(path);
  if (!error) GTEST_SKIP() << "running as root and there is no user 'nobody'";
  EXPECT_EQ(*error, path.string() + ": cannot read the sweep file: Permission denied");
}

TEST(HostileNesting, HundredThousandOpenBracketsDoNotOverflowTheStack) {
  const std::string expected =
      "the YAML nests lists or maps too deeply for the parser (hundreds of levels); a sweep file "
      "needs at most 4 (grids: - key: [values])";
  for (const std::string& text :
       {std::string(100000, '['), std::string(100000, '{'),
        "name: t\ngrid:\n  width: " + std::string(100000, '[') + std::string(100000, ']') + "\n"}) {
    const std::string error = parse_error(text);
    EXPECT_EQ(error.find("bad.yaml:"), 0U) << error.substr(0, 200);
    EXPECT_NE(error.find(expected), std::string::npos) << error.substr(0, 200);
  }
  std::string block;
  for (int level = 0; level < 100000; ++level) block += "- ";
  EXPECT_NE(parse_error(block + "x\n").find(expected), std::string::npos);
}

TEST(HostileNesting, ModerateNestingIsAnOrdinaryError) {
  EXPECT_EQ(
      parse_error(kHostileBase + "seed: " + std::string(50, '[') + std::string(50, ']') + "\n"),
      "bad.yaml:7:7: seed: expected one value (an integer >= 0), found a list; to sweep over "
      "several values, move it under grid:");
}

TEST(HostileValues, LongKeysAndValuesAreCutInMessages) {
  const std::string long_key(200000, 'k');
  // An explicit key ("? key"): YAML limits implicit keys to 1024 characters.
  const std::string key_error = parse_error(kHostileBase + "? " + long_key + "\n: 1\n");
  EXPECT_EQ(key_error.find("bad.yaml:7:3: unknown key '" + std::string(80, 'k') +
                           "... (200000 bytes)'; known keys: name, grid, grids, dataset"),
            0U)
      << key_error.substr(0, 200);
  const std::string value_error =
      parse_error(kHostileBase + "optimizer: " + std::string(200000, 'v') + "\n");
  EXPECT_EQ(value_error, "bad.yaml:7:12: optimizer: '" + std::string(80, 'v') +
                             "... (200000 bytes)' is not one of the choices; allowed: one of: "
                             "sgd, sgd_momentum, adam, adamw");
}

// Numbers 0..count-1 as a flow list: "[0, 1, 2]".
std::string hostile_number_list(int count) {
  std::string list = "[";
  // Appended piecewise: GCC 12 reports a false -Wrestrict on `const char* + std::string&&`.
  for (int i = 0; i < count; ++i) {
    if (i > 0) list += ',';
    list += std::to_string(i);
  }
  return list + "]";
}

TEST(HostileValues, AnAxisOverTheTrialLimitIsRefusedBeforeItsValuesAreParsed) {
  // Items that are not even seeds: the size alone decides.
  std::string items = "[";
  for (int i = 0; i < 120000; ++i) items += i == 0 ? "x" : ",x";
  EXPECT_EQ(parse_error(kHostileBase + "grid:\n  seed: " + items + "]\n"),
            "bad.yaml:8:3: the grid has more than 100000 trials (120000 seed); split the sweep or "
            "shorten an axis");
}

TEST(HostileValues, DuplicateCheckOfALongAxisIsNotQuadratic) {
  // 90000 distinct values, then one again: n^2 comparisons would take minutes.
  std::string list = hostile_number_list(90000);
  list.back() = ',';
  list += "4]";
  const std::string error = parse_error(kHostileBase + "grid:\n  seed: " + list + "\n");
  EXPECT_EQ(error.find("bad.yaml:8:"), 0U) << error;
  EXPECT_NE(error.find("grid axis 'seed' lists 4 twice (first at line 8, column 18)"),
            std::string::npos)
      << error;
}

TEST(HostileValues, AliasesCannotMultiplyTheWorkPastTheTrialLimit) {
  // One grid of 300 x 300 = 90000 trials, then the same grid again by alias, many times: the
  // second one is refused before its values are parsed. (An alias has no place of its own in
  // yaml-cpp: the error points at the anchored grid.)
  std::string text = kHostileBase.substr(0, kHostileBase.find("width")) +
                     "grids:\n  - &g\n    width: " + hostile_number_list(301).replace(1, 2, "") +
                     "\n    seed: " + hostile_number_list(300) + "\n";
  for (int i = 0; i < 20000; ++i) text += "  - *g\n";
  EXPECT_EQ(parse_error(text),
            "bad.yaml:7:5: the grids have more than 100000 trials together (90000 + 90000 up to "
            "this grid); split the sweep or shorten an axis");
}

TEST(HostileValues, ARecursiveAliasIsAnOrdinaryError) {
  EXPECT_EQ(parse_error(kHostileBase.substr(0, kHostileBase.find("width")) +
                        "grid:\n  width: &a [1, *a]\n"),
            "bad.yaml:7:10: grid axis 'width': each item must be one value (an integer >= 1), "
            "found a list");
}

TEST(HostileNames, NamesThatCouldBePathsAreRefused) {
  const std::string allowed =
      " is not allowed; allowed: 1 to 64 characters from A-Z a-z 0-9 _ . -, starting with a "
      "letter or a digit";
  const std::string rest = kHostileBase.substr(kHostileBase.find('\n'));
  EXPECT_EQ(parse_error("name: ../../etc/x" + rest), "bad.yaml:1:7: name: '../../etc/x'" + allowed);
  EXPECT_EQ(parse_error("name: a/b" + rest), "bad.yaml:1:7: name: 'a/b'" + allowed);
  EXPECT_EQ(parse_error("name: /etc" + rest), "bad.yaml:1:7: name: '/etc'" + allowed);
  EXPECT_EQ(parse_error("name: '..'" + rest), "bad.yaml:1:7: name: '..'" + allowed);
  EXPECT_EQ(parse_error("name: .hidden" + rest), "bad.yaml:1:7: name: '.hidden'" + allowed);
  EXPECT_EQ(parse_error("name: \"a\\0b\"" + rest), "bad.yaml:1:7: name: 'a\\x00b'" + allowed);
  EXPECT_EQ(parse_error("name: \"a\\tb\"" + rest), "bad.yaml:1:7: name: 'a\\x09b'" + allowed);
  EXPECT_EQ(parse_error("name: a b" + rest), "bad.yaml:1:7: name: 'a b'" + allowed);
  EXPECT_EQ(parse_error("name: " + std::string(65, 'a') + rest),
            "bad.yaml:1:7: name: '" + std::string(65, 'a') + "'" + allowed);
  EXPECT_EQ(parse_error("name: ''" + rest), "bad.yaml:1:7: name: ''" + allowed);
}

TEST(TrialFileNames, OnlyTrialIdsNameFiles) {
  EXPECT_EQ(trial_file_name("0123456789abcdef", ".ckpt"), "0123456789abcdef.ckpt");
  for (const char* bad : {"", "../../etc/passwd", "0123456789ABCDEF", "0123456789abcdef0",
                          "0123456789abcde", "0123456789abcde/", "../0123456789ab"}) {
    EXPECT_FALSE(is_trial_id(bad)) << bad;
    EXPECT_THROW(trial_file_name(bad, ".log"), std::invalid_argument) << bad;
  }
  EXPECT_THROW(trial_file_name(std::string("0123456789abcde\0", 16), ".log"),
               std::invalid_argument);
  for (const TrialSpec& trial : testing::expand(kHostileBase.substr(0, kHostileBase.find("width")) +
                                                "grid:\n  width: [8, 16]\n  seed: [0, 1, 2]\n")) {
    EXPECT_TRUE(is_trial_id(trial.id)) << trial.id;
  }
}

// Every bound the issue names, with the value and what is allowed.
TEST(HostileValues, OutOfRangeValuesNameTheValueAndTheRange) {
  const std::string head = "name: t\ndataset: mnist\nmodel: comet\n";
  struct Case {
    std::string lines, error;
  };
  const Case cases[] = {
      {"epochs: 0\nlr: 0.1\nwidth: 10\n",
       "bad.yaml:4:9: epochs: 0 is out of range; allowed: an integer >= 1"},
      {"epochs: 1\nlr: 0\nwidth: 10\n", "bad.yaml:5:5: lr: 0 is out of range; allowed: a real > 0"},
      {"epochs: 1\nlr: -1e-3\nwidth: 10\n",
       "bad.yaml:5:5: lr: -1e-3 is out of range; allowed: a real > 0"},
      {"epochs: 1\nlr: 0.1\nwidth: 0\n",
       "bad.yaml:6:8: width: 0 is out of range; allowed: an integer >= 1"},
      {"epochs: 1\nlr: 0.1\nwidth: 10\np_k: 0\n",
       "bad.yaml:7:6: p_k: 0 is out of range; allowed: a real in (0, 1]"},
      {"epochs: 1\nlr: 0.1\nwidth: 10\nbatch_size: 0\n",
       "bad.yaml:7:13: batch_size: 0 is out of range; allowed: an integer >= 1"},
      {"epochs: 1\nlr: 0.1\nwidth: 10\nbatch_size: 99999999999999999999\n",
       "bad.yaml:7:13: batch_size: 99999999999999999999 is not an integer; allowed: an integer "
       ">= 1"},
      {"epochs: 1\nlr: 1e999\nwidth: 10\n",
       "bad.yaml:5:5: lr: 1e999 is not a finite real number; allowed: a real > 0"},
      {"epochs: 1\nlr: 0.1\nwidth: ten\n",
       "bad.yaml:6:8: width: ten is not an integer; allowed: an integer >= 1"},
      {"epochs: 1\nlr: 0.1\ngrid:\n  width: []\n",
       "bad.yaml:7:10: grid axis 'width' is an empty list; give at least one value"},
      {"epochs: 1\nlr: 0.1\ngrid:\n  width: [100, 100]\n",
       "bad.yaml:7:16: grid axis 'width' lists 100 twice (first at line 7, column 11); give each "
       "value once"},
      {"epochs: 1\nlr: 0.1\nwidth: 10\nepochs: 2\n",
       "bad.yaml:7:1: duplicate key 'epochs' (first given at line 4); give each key once"},
  };
  for (const Case& c : cases) EXPECT_EQ(parse_error(head + c.lines), c.error) << c.lines;
  EXPECT_EQ(parse_error("name: t\ndataset: mnits\nmodel: comet\nepochs: 1\nlr: 0.1\nwidth: 1\n"),
            "bad.yaml:2:10: dataset: 'mnits' is not one of the choices (did you mean 'mnist'?); "
            "allowed: one of: fashion_mnist, mnist, cifar10, cifar100, svhn, sarcos, "
            "tiny_imagenet, csv, synthetic_clusters, python_stdlib, wikitext2, wikitext103, "
            "codeparrot, text");
  EXPECT_EQ(parse_error("name: t\ndataset: mnist\nmodel: cmoet\nepochs: 1\nlr: 0.1\nwidth: 1\n"),
            "bad.yaml:3:8: model: 'cmoet' is not one of the choices (did you mean 'comet'?); "
            "allowed: one of: comet, standard, smaller, dropout, topk, moe, moe_fixed, "
            "layerwise, bernoulli, example_tied, l1");
}

}  // namespace
}  // namespace comet::sweeps
