// SVG plots of metrics logs.
#include <gtest/gtest.h>

#include <fstream>

#include "report/svg_plot.h"
#include "test_helpers.h"
#include "util/error.h"

using namespace clasp;

TEST(SvgPlot, ReadsMetricsAndDrawsEverySeries) {
  test::TempDir d;
  {
    std::ofstream(d / "m.jsonl") << "{\"step\":10,\"train_loss\":3.0,\"val_loss\":3.2}\n"
                                 << "{\"step\":20,\"train_loss\":2.0}\n"
                                 << "{\"note\":\"no step\"}\n"
                                 << "{\"step\":30,\"train_loss\":1.5,\"val_loss\":2.9}\n";
  }
  auto s = series_from_jsonl(d / "m.jsonl", {"train_loss", "val_loss", "absent"});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].x, (std::vector<double>{10, 20, 30}));
  EXPECT_EQ(s[1].y, (std::vector<double>{3.2, 2.9}));
  EXPECT_TRUE(s[2].x.empty());
  auto svg = line_plot_svg("t <&>", "step", "loss", s);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("t &lt;&amp;&gt;"), std::string::npos);
  size_t lines = 0;
  for (size_t p = 0; (p = svg.find("<polyline", p)) != std::string::npos; ++p) ++lines;
  EXPECT_EQ(lines, 3u);
  { std::ofstream(d / "bad.jsonl") << "{\"step\":1}\nnot json\n"; }
  try {
    series_from_jsonl(d / "bad.jsonl", {"x"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.jsonl:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(series_from_jsonl(d / "missing.jsonl", {"x"}), Error);
}
