// Files named after trials (<run dir>/<id>.log here; <id>.ckpt in the trainer) are only ever
// named after well-formed trial ids: an id from a damaged database or protocol line cannot
// name a path outside the run folder.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "file_text.h"
#include "temp_dir.h"
#include "trial_log.h"

namespace comet::engine {
namespace {

TEST(TrialFiles, ALogIsNamedAfterItsTrialId) {
  testing::TempDir dir;
  {
    TrialLog log(dir / "runs", "0123456789abcdef");
    log.info("hello");
  }
  EXPECT_NE(testing::slurp(dir / "runs" / "0123456789abcdef.log").find("hello"), std::string::npos);
}

TEST(TrialFiles, AnIdThatIsNotATrialIdNamesNoFile) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "a" / "runs");
  const std::string absolute = (dir / "b" / "escaped").string();  // an absolute path
  for (const std::string& id : {std::string("../escaped"), std::string("../../escaped"), absolute,
                                std::string("x\0y", 3)}) {
    TrialLog log(dir / "a" / "runs", id);  // reports on stderr, logs nothing
    log.info("must not be written");
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "a" / "escaped.log"));
  EXPECT_FALSE(std::filesystem::exists(dir / "escaped.log"));
  EXPECT_FALSE(std::filesystem::exists(absolute + ".log"));
  EXPECT_TRUE(std::filesystem::is_empty(dir / "a" / "runs"));
}

}  // namespace
}  // namespace comet::engine
