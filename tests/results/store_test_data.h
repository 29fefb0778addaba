#pragma once
// Sweeps, trials and epochs for the results tests, built directly (no YAML), and a raw SQLite
// connection to look at the file behind the store's back.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "sqlite_rows.h"

#include "comet/results/result_store.h"
#include "comet/sweeps/sweep_spec.h"

namespace comet::results::test_data {

// EXPECT_TRUE(contains(message, "part")) prints the whole message when it fails.
inline ::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

// ISO-8601 UTC with milliseconds, as the store writes timestamps.
inline bool is_utc_timestamp(const std::string& text) {
  static const std::regex pattern(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  return std::regex_match(text, pattern);
}

// The message of the StoreError `action` throws ("" if it throws none).
template <typename Action>
std::string store_error_of(Action action) {
  try {
    action();
  } catch (const StoreError& error) {
    return error.what();
  }
  return "";
}

inline sweeps::TrialConfig config_of(std::int64_t width, double lr, std::int64_t seed) {
  sweeps::TrialConfig config;
  config.set("dataset", std::string("mnist"));
  config.set("width", width);
  config.set("lr", lr);
  config.set("seed", seed);
  return config;
}

inline sweeps::TrialSpec trial_of(const sweeps::TrialConfig& config) {
  return sweeps::TrialSpec{sweeps::trial_id(config), config};
}

inline sweeps::SweepSpec sweep_named(const std::string& name) {
  sweeps::SweepSpec spec;
  spec.name = name;
  spec.source_path = "sweeps/" + name + ".yaml";
  spec.source_text = "name: " + name + "\n";
  return spec;
}

// Three trials: widths 64, 128, 256 (lr 0.01, seed 1).
inline std::vector<sweeps::TrialSpec> three_trials() {
  return {trial_of(config_of(64, 0.01, 1)), trial_of(config_of(128, 0.01, 1)),
          trial_of(config_of(256, 0.01, 1))};
}

inline AttemptInfo attempt_info() {
  return AttemptInfo{"node-7", "cuda:0", "0.1.0 (abc123)", "2.1.0", 0};
}

inline EpochRecord epoch_of(int epoch, double val_acc, double train_loss = 1.0) {
  return EpochRecord{
      epoch, {{"train", "loss", train_loss}, {"val", "acc", val_acc}, {"epoch", "seconds", 2.5}}};
}

// A plain sqlite3 connection, independent of the store.
class RawConnection {
 public:
  explicit RawConnection(const std::filesystem::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      throw std::runtime_error("cannot open " + path.string());
    }
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  ~RawConnection() { sqlite3_close_v2(db_); }

  void execute(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message != nullptr ? message : "?";
      sqlite3_free(message);
      throw std::runtime_error(sql + ": " + text);
    }
  }

  // Every row of a query, columns as text ("NULL" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    return comet::testing::statement_rows(db_, sql);
  }

  std::string single(const std::string& sql) {
    auto all = rows(sql);
    if (all.size() != 1 || all[0].size() != 1) {
      throw std::runtime_error(sql + ": expected one value");
    }
    return all[0][0];
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace comet::results::test_data
