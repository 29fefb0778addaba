// comet analyze routing | utilization: in-process through run_guarded at small sizes (output,
// stored analysis, figure, bad options) and once through the built binary.

#include "comet/cli/analyze_command.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "file_text.h"
#include "guarded_command.h"
#include "temp_dir.h"
#include "test_paths.h"

#include "comet/cli/error_boundary.h"
#include "comet/results/result_store.h"

namespace comet::cli {
namespace {

namespace fs = std::filesystem;
using comet::testing::TempDir;

using comet::testing::slurp;

using Result = comet::testing::CommandResult;
using comet::testing::guarded;

class AnalyzeCommandTest : public ::testing::Test {
 protected:
  AnalyzeRoutingParams small_routing() const {
    AnalyzeRoutingParams p;
    p.common.db = db_;
    p.pairs = 20;
    p.nets = 2;
    p.layers = 3;
    p.width = 40;
    p.input_dim = 12;
    p.p_k = "0.1,0.5,1";
    return p;
  }
  Result routing(const AnalyzeRoutingParams& p) const {
    return guarded(
        [&](std::ostream& out, std::ostream& err) { return analyze_routing_command(p, out, err); });
  }
  AnalyzeUtilizationParams small_utilization() const {
    AnalyzeUtilizationParams p;
    p.common.db = db_;
    p.dataset = "synthetic_clusters";
    p.models = 3;
    p.examples = 200;
    return p;
  }
  Result utilization(const AnalyzeUtilizationParams& p) const {
    return guarded([&](std::ostream& out, std::ostream& err) {
      return analyze_utilization_command(p, out, err);
    });
  }
  TempDir dir_;
  fs::path db_ = dir_ / "comet.db";
};

TEST_F(AnalyzeCommandTest, RoutingPrintsStoresAndDraws) {
  auto params = small_routing();
  params.common.output = dir_ / "fig2.png";
  const auto result = routing(params);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("overlap_spearman"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("wrote " + (dir_ / "fig2.png").string()), std::string::npos);
  EXPECT_EQ(slurp(dir_ / "fig2.png").substr(0, 4), "\x89PNG");
  EXPECT_NE(result.err.find("networks 6/6"), std::string::npos) << result.err;

  const auto store = results::ResultStore::open_read_only(db_);
  const auto list = store.list_analyses("routing");
  ASSERT_EQ(list.size(), 1u);
  const auto stored = store.analysis(list[0].id);
  EXPECT_EQ(stored.kind, "routing");
  const auto params_json = nlohmann::json::parse(stored.params_json);
  EXPECT_EQ(params_json["pairs"], 20);
  EXPECT_EQ(params_json["width"], 40);
  EXPECT_EQ(params_json["seed"], 0);
  EXPECT_EQ(params_json["p_k"], (std::vector<double>{0.1, 0.5, 1.0}));
  const auto summary = nlohmann::json::parse(stored.summary_json);
  ASSERT_EQ(summary["levels"].size(), 3u);
  EXPECT_TRUE(summary["levels"][2]["overlap_spearman"].is_null());  // p_k = 1: constant
  EXPECT_TRUE(summary["levels"][0]["overlap_spearman"].is_number());
  // One point per (p_k, pair) in each of the two series families.
  ASSERT_EQ(stored.points.size(), 2u * 3u * 20u);
  std::set<std::string> series;
  for (const auto& p : stored.points) {
    series.insert(p.series);
    if (p.series == "overlap p_k=1") {
      EXPECT_EQ(p.y, 1.0);
    }
  }
  EXPECT_EQ(series, (std::set<std::string>{"overlap p_k=0.1", "overlap p_k=0.5", "overlap p_k=1",
                                           "activation p_k=0.1", "activation p_k=0.5",
                                           "activation p_k=1"}));
}

TEST_F(AnalyzeCommandTest, RoutingJsonIsMachineReadable) {
  auto params = small_routing();
  params.common.format = OutputFormat::json;
  const auto result = routing(params);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto rows = nlohmann::json::parse(result.out);  // notes go to stderr
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["kept_per_layer"], 4);
  EXPECT_EQ(rows[1]["kept_per_layer"], 20);
  EXPECT_EQ(rows[2]["mean_overlap"], 1.0);
}

TEST_F(AnalyzeCommandTest, BadRoutingOptionsExit2NamingTheValue) {
  const auto expect_bad = [&](const AnalyzeRoutingParams& params,
                              const std::vector<std::string>& expected) {
    const auto result = routing(params);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    for (const auto& text : expected) {
      EXPECT_NE(result.err.find(text), std::string::npos) << text << " in " << result.err;
    }
  };
  const std::vector<std::pair<std::string, std::vector<std::string>>> bad_pks = {
      {"0.5,1.5", {"--p-k 1.5", "(0, 1]"}},
      {"0.5,0", {"--p-k 0 ", "(0, 1]"}},
      {"half", {"'half'", "(0, 1]"}},
      {"0.01", {"--p-k 0.01", "--width 40", ">= 1"}},
  };
  for (const auto& [p_k, expected] : bad_pks) {
    auto params = small_routing();
    params.p_k = p_k;
    expect_bad(params, expected);
  }
  auto params = small_routing();
  params.pairs = 0;
  expect_bad(params, {"--pairs 0", ">= 1"});
  params = small_routing();
  params.nets = -1;
  expect_bad(params, {"--nets -1", ">= 1"});
  params = small_routing();
  params.activation = "swish";
  expect_bad(params, {"'swish'", "softplus"});
  params = small_routing();
  params.common.output = dir_ / "fig.bmp";
  expect_bad(params, {"fig.bmp"});
  EXPECT_FALSE(fs::exists(db_));  // nothing computed, nothing written
}

TEST_F(AnalyzeCommandTest, UtilizationStoresItsSummaryAndHistogram) {
  auto params = small_utilization();
  params.common.output = dir_ / "fig3.svg";
  const auto result = utilization(params);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("never_active_percent"), std::string::npos) << result.out;
  EXPECT_NE(slurp(dir_ / "fig3.svg").find("<svg"), std::string::npos);
  const auto store = results::ResultStore::open_read_only(db_);
  const auto list = store.list_analyses("utilization");
  ASSERT_EQ(list.size(), 1u);
  const auto stored = store.analysis(list[0].id);
  const auto summary = nlohmann::json::parse(stored.summary_json);
  EXPECT_TRUE(summary["never_active_percent"].is_number());
  EXPECT_EQ(nlohmann::json::parse(stored.params_json)["examples"], 200);
  double histogram_units = 0;
  for (const auto& p : stored.points) {
    if (p.series == "histogram") histogram_units += p.y;
  }
  EXPECT_EQ(histogram_units, summary["units"].get<double>());
}

TEST_F(AnalyzeCommandTest, BadUtilizationOptionsExit2) {
  auto params = small_utilization();
  params.dataset = "imagenet22k";
  auto result = utilization(params);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("'imagenet22k'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("fashion_mnist"), std::string::npos) << result.err;
  params = small_utilization();
  params.models = 0;
  result = utilization(params);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--models 0"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(AnalyzeCommandTest, TheBinaryRunsAnalyzeRouting) {
  const auto out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
  const std::string command = "cd '" + dir_.path().string() + "' && '" +
                              comet::testing::kCometBinary +
                              "' analyze routing --pairs 10 --nets 1 --layers 2 --width 20 "
                              "--input-dim 8 --p-k 0.5,1 --format csv >stdout.txt 2>stderr.txt";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << slurp(err);
  EXPECT_EQ(slurp(out).rfind("p_k,kept_per_layer,", 0), 0u) << slurp(out);
  EXPECT_TRUE(fs::exists(dir_ / "comet.db"));

  const std::string bad = "cd '" + dir_.path().string() + "' && '" + comet::testing::kCometBinary +
                          "' analyze routing --p-k 2 2>stderr.txt";
  EXPECT_EQ(WEXITSTATUS(std::system(bad.c_str())), 2);
  EXPECT_NE(slurp(err).find("--p-k 2"), std::string::npos) << slurp(err);
}

}  // namespace
}  // namespace comet::cli
