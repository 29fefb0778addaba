// comet serve in a real browser: Debian's chromium, headless, loads the page from a running
// `comet serve` (127.0.0.1) and the test reads the DOM it built (--dump-dom): the sweeps list,
// a sweep's trial rows, one chart per curve and grid cell, the compare table's numbers (equal to
// `comet compare --format json`), a trial's curves, and live updates without a reload (the
// browser driven over DevTools, chromium_session.h).
// Screenshots go to build/test-artifacts/serve/. The database is the quickstart-shaped fixture,
// or COMET_SERVE_DB (e.g. the real quickstart's comet.db) when set.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "chromium_session.h"
#include "comet_process.h"
#include "serve_fixture.h"
#include "serve_process.h"
#include "temp_dir.h"

#include "comet/cli/commands.h"

namespace comet::cli {
namespace {

namespace fs = std::filesystem;

const char* const kChromium = "/usr/bin/chromium";

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class ServeBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kChromium)) {
      GTEST_SKIP() << kChromium << " is not installed; `scripts/setup.sh --tests` installs it";
    }
    if (const char* given = std::getenv("COMET_SERVE_DB")) {
      db_ = given;
      own_fixture_ = false;
    } else {
      fixture_ = testing::write_serve_fixture(db_);
    }
    fs::create_directories(artifacts_);
  }

  // chromium --headless on `target`; the DOM after the page's scripts ran (virtual time lets
  // it finish its requests and skip its timers), and a screenshot when `png` is given.
  std::string browse(int port, const std::string& target, const std::string& png = "",
                     int height = 1800, const std::string& wait = "--virtual-time-budget=8000") {
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + target;
    std::vector<std::string> args = {"90",
                                     kChromium,
                                     "--headless=new",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-dev-shm-usage",
                                     "--no-first-run",
                                     "--hide-scrollbars",
                                     "--user-data-dir=" + (profile_ / "p").string(),
                                     "--window-size=1400," + std::to_string(height),
                                     wait};
    args.push_back(png.empty() ? "--dump-dom" : "--screenshot=" + (artifacts_ / png).string());
    args.push_back(url);
    testing::CometProcessOptions options;
    options.binary = "/usr/bin/timeout";  // a browser that hangs is stopped after 90 s
    testing::CometProcess chromium(args, options);
    EXPECT_EQ(chromium.wait(), 0) << chromium.err().substr(0, 2000);
    return chromium.out();
  }

  testing::TempDir dir_, profile_;
  fs::path db_ = dir_ / "quickstart.db";
  bool own_fixture_ = true;
  testing::ServeFixture fixture_;
  fs::path artifacts_ = fs::path(COMET_ARTIFACT_DIR) / "serve";
};

TEST_F(ServeBrowserTest, SweepsPageListsTheSweep) {
  testing::ServeProcess serve({"--db", db_.string()});
  ASSERT_GT(serve.port(), 0) << serve.first_output();
  const auto dom = browse(serve.port(), "/");
  EXPECT_NE(dom.find("data-state=\"ready\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_EQ(count(dom, "class=\"sweep-row\""), 1u);
  EXPECT_NE(dom.find("data-sweep=\"quickstart\""), std::string::npos);
  browse(serve.port(), "/", "sweeps.png", 500);
}

TEST_F(ServeBrowserTest, SweepPageShowsTrialsCurvesGridAndTheCompareNumbers) {
  testing::ServeProcess serve({"--db", db_.string()});
  ASSERT_GT(serve.port(), 0) << serve.first_output();
  const auto dom = browse(serve.port(), "/?sweep=quickstart");
  ASSERT_NE(dom.find("data-state=\"ready\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_EQ(count(dom, "class=\"trial-row\""), 12u);  // standard's p_k is folded
  EXPECT_NE(dom.find("id=\"curves\" class=\"chart\" data-curves=\"12\""), std::string::npos);
  EXPECT_EQ(count(dom, "class=\"chart grid-cell\""), 4u);  // width x p_k
  EXPECT_EQ(count(dom, "data-bands=\"2\""), 4u);           // comet and standard in each
  EXPECT_GE(count(dom, "<canvas"), 5u);                    // dygraphs drew them

  CompareParams p;
  p.db = db_;
  p.sweep = "quickstart";
  p.format = OutputFormat::json;
  std::ostringstream cli;
  ASSERT_EQ(compare_command(p, cli), 0);
  const auto cells = nlohmann::json::parse(cli.str());
  const std::regex cell(
      R"re(data-row="([^"]*)" data-col="([^"]*)" data-by="([^"]*)" data-mean="([^"]*)" )re"
      R"re(data-std="([^"]*)" data-n="([^"]*)" data-best="([^"]*)")re");
  std::size_t shown = 0;
  for (std::sregex_iterator it(dom.begin(), dom.end(), cell), end; it != end; ++it, ++shown) {
    const auto& m = *it;
    const auto match = std::find_if(cells.begin(), cells.end(), [&](const auto& c) {
      return c["row"] == m[1].str() && c["col"] == m[2].str() && c["by"] == m[3].str();
    });
    ASSERT_NE(match, cells.end()) << m[0];
    EXPECT_EQ(std::stod(m[4].str()), (*match)["mean"].get<double>()) << m[0];
    EXPECT_EQ(std::stod(m[5].str()), (*match)["std"].get<double>()) << m[0];
    EXPECT_EQ(std::stoi(m[6].str()), (*match)["n"].get<int>()) << m[0];
    EXPECT_EQ(std::stoi(m[7].str()), (*match)["best"].get<int>()) << m[0];
  }
  EXPECT_EQ(shown, cells.size());
  browse(serve.port(), "/?sweep=quickstart", "sweep.png", 2050);
}

TEST_F(ServeBrowserTest, TrialPageShowsEveryCurveItsLogAndCheckpoint) {
  testing::ServeProcess serve({"--db", db_.string()});
  ASSERT_GT(serve.port(), 0) << serve.first_output();
  auto store = results::ResultStore::open_read_only(db_);
  const auto id = store.list_trials("quickstart").front().id;
  const auto dom = browse(serve.port(), "/?trial=" + id);
  ASSERT_NE(dom.find("data-state=\"ready\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_EQ(count(dom, "class=\"chart trial-curve\""), 5u);  // every metric
  EXPECT_EQ(count(dom, "data-points=\"3\""), 5u);
  EXPECT_NE(dom.find("id=\"trial-epochs\">3<"), std::string::npos);
  if (own_fixture_) {
    EXPECT_NE(dom.find("epoch 2 val_acc 0.68"), std::string::npos);  // the log's tail
    EXPECT_NE(dom.find("1000 bytes"), std::string::npos);            // the checkpoint
  }
  browse(serve.port(), "/?trial=" + id, "trial.png", 1300);
}

TEST_F(ServeBrowserTest, RunningTrialUpdatesWithoutAReload) {
  if (!own_fixture_) GTEST_SKIP() << "needs the fixture's running trial";
  testing::ServeProcess serve({"--db", db_.string()});
  ASSERT_GT(serve.port(), 0) << serve.first_output();
  // Real time (DevTools over a pipe): the page shows epoch 1; the test writes epoch 2 as
  // comet run would; the open page must show it within 2 s, without a reload.
  testing::ChromiumSession browser(kChromium, (profile_ / "live").string());
  browser.open("http://127.0.0.1:" + std::to_string(serve.port()) +
               "/?trial=" + fixture_.running_id);
  const std::string epochs_shown =
      "(() => { const e = document.getElementById('trial-epochs'); "
      "return e ? e.textContent : null; })()";
  const std::string points_shown =
      "[...document.querySelectorAll('.trial-curve')].map((d) => d.dataset.points).join(',')";
  auto wait_for = [&](const std::string& expression, const nlohmann::json& wanted,
                      std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    while (browser.evaluate(expression) != wanted &&
           std::chrono::steady_clock::now() - start < limit) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::chrono::steady_clock::now() - start;
  };
  wait_for(epochs_shown, "1", std::chrono::seconds(30));  // the first load, on a busy machine
  ASSERT_EQ(browser.evaluate(epochs_shown), "1");
  browser.evaluate("window.cometTestMark = 42");  // a reload would lose it
  {
    auto store = results::ResultStore::open(db_);
    store.record_epoch(fixture_.running_id, testing::fixture_epoch(2, 0.8));
  }
  const auto took = wait_for(epochs_shown, "2", std::chrono::seconds(2));
  EXPECT_EQ(browser.evaluate(epochs_shown), "2");
  EXPECT_LE(took, std::chrono::seconds(2));
  wait_for(points_shown, "2,2,2,2,2", std::chrono::seconds(2));
  EXPECT_EQ(browser.evaluate(points_shown), "2,2,2,2,2");   // every curve has its new point
  EXPECT_EQ(browser.evaluate("window.cometTestMark"), 42);  // the same page, not reloaded
}

}  // namespace
}  // namespace comet::cli
