// select_trials (comet serve's trials table): conditions on config keys and trial columns,
// sorting with missing values last, paging; malformed conditions refused. Pure: TrialRows in.

#include "comet/results/trial_selection.h"

#include <gtest/gtest.h>

#include "comet/results/comparison.h"

namespace comet::results {
namespace {

TrialRow row(const std::string& id, const std::string& model, std::int64_t width,
             std::optional<double> best, TrialStatus status = TrialStatus::done) {
  TrialRow t;
  t.id = id;
  t.config = sweeps::TrialConfig({{"model", model}, {"width", width}, {"lr", 0.001}});
  t.status = status;
  t.best_val_acc = best;
  t.epochs_done = best ? 3 : 0;
  return t;
}

std::vector<TrialRow> rows() {
  return {row("a1", "comet", 100, 0.8), row("b2", "standard", 500, 0.7),
          row("c3", "comet", 500, std::nullopt, TrialStatus::pending),
          row("d4", "comet", 200, 0.9)};
}

std::vector<std::string> ids(const TrialPage& page) {
  std::vector<std::string> out;
  for (const auto& t : page.trials) out.push_back(t.id);
  return out;
}

TEST(TrialSelectionTest, ConditionsOnConfigKeysAndColumns) {
  EXPECT_EQ(ids(select_trials(rows(), {.where = {"model=comet", "width>=200"}})),
            (std::vector<std::string>{"c3", "d4"}));
  EXPECT_EQ(ids(select_trials(rows(), {.where = {"model!=comet"}})),
            std::vector<std::string>{"b2"});
  EXPECT_EQ(ids(select_trials(rows(), {.where = {"best_val_acc>0.75"}})),
            (std::vector<std::string>{"a1", "d4"}));
  EXPECT_EQ(ids(select_trials(rows(), {.where = {"lr=1e-3", "width<200"}})),
            std::vector<std::string>{"a1"});  // the same number, written otherwise
  EXPECT_EQ(ids(select_trials(rows(), {.where = {"status=pending"}})),
            std::vector<std::string>{"c3"});
  EXPECT_EQ(ids(select_trials(rows(), {.where = {"model>1"}})), std::vector<std::string>{});
  EXPECT_EQ(select_trials(rows(), {.status = TrialStatus::done}).total, 3u);
}

TEST(TrialSelectionTest, SortsWithMissingValuesLastAndPages) {
  EXPECT_EQ(ids(select_trials(rows(), {.sort = "best_val_acc"})),
            (std::vector<std::string>{"b2", "a1", "d4", "c3"}));
  EXPECT_EQ(ids(select_trials(rows(), {.sort = "best_val_acc", .descending = true})),
            (std::vector<std::string>{"d4", "a1", "b2", "c3"}));
  EXPECT_EQ(ids(select_trials(rows(), {.sort = "model"})),  // stable among equal values
            (std::vector<std::string>{"a1", "c3", "d4", "b2"}));
  const auto page = select_trials(rows(), {.sort = "width", .offset = 1, .limit = 2});
  EXPECT_EQ(page.total, 4u);
  EXPECT_EQ(ids(page), (std::vector<std::string>{"d4", "b2"}));
  EXPECT_TRUE(select_trials(rows(), {.offset = 10}).trials.empty());
}

TEST(TrialSelectionTest, RefusesMalformedConditions) {
  for (const char* bad : {"model", "=comet", "width>abc", "width!5", "width<"}) {
    EXPECT_THROW(select_trials(rows(), {.where = {bad}}), QueryError) << bad;
  }
}

}  // namespace
}  // namespace comet::results
