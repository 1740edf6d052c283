// SVG plots of metrics logs.
#include <gtest/gtest.h>

#include <fstream>

#include "report/embedding_projection.h"
#include "report/html_tables.h"
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

TEST(SvgPlot, ALoneNamedSeriesSaysWhichKeyItIs) {
  // `clasp plot --keys val_loss` draws one line; without a legend nothing says it is val_loss.
  const auto one = line_plot_svg("t", "step", "loss", {{"val_loss", {1, 2}, {3, 2}}});
  ASSERT_NE(one.find("class=\"legend\""), std::string::npos) << one;
  EXPECT_NE(one.find(">val_loss</text>"), std::string::npos);
  EXPECT_LT(one.find("class=\"legend\""), one.find("<polyline"));
  const auto unnamed = line_plot_svg("t", "step", "loss", {{"", {1, 2}, {3, 2}}});
  EXPECT_EQ(unnamed.find("class=\"legend\""), std::string::npos);
}

TEST(SvgPlot, BarsAndScatterDrawOneMarkPerValue) {
  auto bars = bar_chart_svg("cats", "category", "n", {{"news", 3}, {"fiction", 1}, {"a<b", 0}});
  size_t rects = 0;
  for (size_t p = 0; (p = bars.find("class=\"bar\"", p)) != std::string::npos; ++p) ++rects;
  EXPECT_EQ(rects, 3u);
  EXPECT_NE(bars.find("a&lt;b"), std::string::npos);  // labels are escaped
  auto sc = scatter_plot_svg("pairs", "x", "y", {{"speech", {0, 1}, {0, 1}}, {"text", {2, 3}, {2, 3}}}, true);
  size_t circles = 0, lines = 0;
  for (size_t p = 0; (p = sc.find("<circle", p)) != std::string::npos; ++p) ++circles;
  for (size_t p = 0; (p = sc.find("stroke=\"#bbb\"", p)) != std::string::npos; ++p) ++lines;
  EXPECT_EQ(circles, 4u);
  EXPECT_EQ(lines, 2u);  // one per pair
  // Both axes titled; the picture scales (viewBox); the legend sits above the frame.
  for (const auto* svg : {&bars, &sc}) {
    size_t titles = 0;
    for (size_t p = 0; (p = svg->find("class=\"axis-title\"", p)) != std::string::npos; ++p) ++titles;
    EXPECT_EQ(titles, 2u) << *svg;
    EXPECT_NE(svg->find("viewBox=\"0 0 "), std::string::npos);
  }
  EXPECT_LT(sc.find("class=\"legend\""), sc.find("<circle"));
}

TEST(SvgPlot, PanelsShareAGivenRangeAndPaddedOnesKeepPointsOffTheFrame) {
  const std::vector<PlotSeries> s = {{"a", {0, 1}, {0, 2}}};
  const auto r = data_range(s, 0.1);
  EXPECT_DOUBLE_EQ(r.x0, -0.1);
  EXPECT_DOUBLE_EQ(r.x1, 1.1);
  EXPECT_DOUBLE_EQ(r.y0, -0.2);
  EXPECT_DOUBLE_EQ(r.y1, 2.2);
  // A range given is the axes' extent whatever the points (panels compared by eye share one).
  const auto wide = scatter_plot_svg("p", "x", "y", s, false, 400, 300, AxisRange{-10, 10, -10, 10});
  EXPECT_NE(wide.find(">-10</text>"), std::string::npos) << wide;
  EXPECT_NE(wide.find(">10</text>"), std::string::npos);
}

TEST(EmbeddingProjection, KeepsStructureAndPairDistances) {
  // Two sets in 4-D that differ only along axis 0 and spread along axis 1:
  // the top two components are those axes, so the 2-D pair distance is the
  // true offset and all the variance is kept.
  const size_t n = 6, d = 4;
  std::vector<float> a(n * d, 0), b(n * d, 0);
  for (size_t i = 0; i < n; ++i) {
    a[i * d + 1] = b[i * d + 1] = static_cast<float>(i) - 2.5f;
    a[i * d + 0] = 1.5f;
    b[i * d + 0] = -1.5f;
  }
  auto p = project_pairs_2d(a, b, d);
  ASSERT_EQ(p.ax.size(), n);
  EXPECT_NEAR(p.mean_pair_distance, 3.0, 1e-6);
  EXPECT_NEAR(p.explained, 1.0, 1e-6);
  EXPECT_THROW(project_pairs_2d(a, std::vector<float>(d), d), Error);
}

TEST(HtmlTables, CellsCarryTheirJsonPath) {
  nlohmann::json r = {{"m", {{"en", {{"hard", {{"hits1", 0.25}}}}}}}};
  auto t = html_table("t", "cap", r, {{"en", "m.en"}, {"xx", "m.xx"}}, {{"HITS@1", "hard.hits1", 2}});
  EXPECT_NE(t.find("data-key=\"m.en.hard.hits1\" data-decimals=\"2\">0.25</td>"), std::string::npos) << t;
  EXPECT_NE(t.find("class=\"na\">-</td>"), std::string::npos);  // missing values are marked, not invented
  ASSERT_NE(json_at(r, "m.en.hard.hits1"), nullptr);
  EXPECT_EQ(json_at(r, "m.fr"), nullptr);
}

TEST(HtmlTables, PaperColumnsLowerIsBetterMarksAndRowsDeeperThanColumns) {
  nlohmann::json r = {
      {"m", {{"en", {{"hard", {{"hits1", 0.25}, {"mean_rank", 3.5}}}, {"by_category", {{"news", {{"queries", 2}}}}}}}}},
      {"paper", {{"cv", {{"hits1", 0.916}}}}}};
  auto t = html_table("t", "cap", r, {{"en", "m.en.hard", "paper.cv"}, {"xx", "m.xx.hard"}},
                      {{"HITS@1", "hits1"}, {"paper", "hits1", 3, true}, {"meanR", "mean_rank", 1}});
  // The caption above a box of its own, which scrolls on a narrow page.
  EXPECT_NE(t.find("<p class=\"caption\" id=\"t-caption\">cap</p>\n<div class=\"table-wrap\"><table id=\"t\""),
            std::string::npos) << t;
  EXPECT_NE(t.find("<th class=\"paper\">paper</th>"), std::string::npos) << t;
  EXPECT_NE(t.find("<td class=\"paper\" data-key=\"paper.cv.hits1\" data-decimals=\"3\">0.916</td>"), std::string::npos);
  EXPECT_NE(t.find("<td class=\"na paper\">-</td>"), std::string::npos);  // the paper gives nothing for xx
  EXPECT_NE(t.find("<th class=\"lower\">meanR&nbsp;<span title=\"lower is better\">&darr;</span></th>"), std::string::npos);
  EXPECT_TRUE(lower_is_better("a.wer") && lower_is_better("per") && !lower_is_better("hard.hits1"));
  // {row}: a row deeper in the JSON than its columns (a category under each language).
  auto c = html_table("c", "cap", r, {{"news", "news"}}, {{"en clips", "m.en.by_category.{row}.queries", 0}});
  EXPECT_NE(c.find("data-key=\"m.en.by_category.news.queries\" data-decimals=\"0\">2</td>"), std::string::npos) << c;
  EXPECT_EQ(html_table("e", "cap", r, {}, {{"HITS@1", "hits1"}}), "");  // no empty tables
}
