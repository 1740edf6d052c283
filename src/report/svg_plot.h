#pragma once
// Small, dependency-free SVG line plots (loss curves and the like), viewable
// in any browser and embeddable in HTML reports. Every plot has a viewBox
// (it scales down with a narrow page), axis titles (class "axis-title") and,
// for several series, a legend above the plot area, never over the data.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clasp {

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;
};

std::string line_plot_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<PlotSeries>& series, int width = 640, int height = 360);

struct AxisRange {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
};
// The smallest range holding every point of `series`, widened by `pad`
// times its span on each side (so no point sits on the frame).
AxisRange data_range(const std::vector<PlotSeries>& series, double pad = 0);

// Points of each series in its own colour; with link_pairs, point i of the
// first series is joined to point i of the second (e.g. a clip and its text).
// `range`: the axes' extent (panels meant to be compared share one); by
// default the data's, padded.
std::string scatter_plot_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                             const std::vector<PlotSeries>& series, bool link_pairs = false, int width = 640,
                             int height = 480, std::optional<AxisRange> range = std::nullopt);

// Vertical bars, one per (label, value), labels slanted under the axis.
std::string bar_chart_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<std::pair<std::string, double>>& bars, int width = 640, int height = 360);

// One series per key of a JSONL metrics log (x = "step"); lines without the
// key are skipped. Errors name the file.
std::vector<PlotSeries> series_from_jsonl(const std::string& path, const std::vector<std::string>& keys);

}  // namespace clasp
