#include <gtest/gtest.h>

#include <vector>

#include "util/progress.h"

using namespace clasp;

namespace {
// Restores "no handler" however a test ends.
struct HandlerGuard {
  ~HandlerGuard() { set_progress_handler(nullptr); }
};
}  // namespace

TEST(Progress, ReportsGoToTheHandlerThrottledWithTheLastAlwaysSent) {
  HandlerGuard guard;
  std::vector<ProgressReport> got;
  set_progress_handler([&](const ProgressReport& r) { got.push_back(r); }, 3600.0);
  Progress p("job", 10, "clips", 2);  // 2 done before this run
  for (int i = 3; i <= 10; ++i) p.update(i, "x");
  EXPECT_TRUE(got.empty());  // within the interval: nothing yet
  p.finish("1.5 h");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].label, "job");
  EXPECT_EQ(got[0].unit, "clips");
  EXPECT_EQ(got[0].extra, "1.5 h");
  EXPECT_EQ(got[0].done, 10);
  EXPECT_EQ(got[0].total, 10);
  EXPECT_TRUE(got[0].final);
  EXPECT_EQ(got[0].eta_s, 0);

  set_progress_handler([&](const ProgressReport& r) { got.push_back(r); }, 0.0);
  Progress q("again", 4);
  q.update(1);
  q.update(2);
  EXPECT_EQ(got.size(), 3u);  // no interval: every update
  EXPECT_FALSE(got.back().final);
  EXPECT_EQ(got.back().done, 2);
}
