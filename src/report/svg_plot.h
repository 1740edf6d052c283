#pragma once
// Small, dependency-free SVG line plots (loss curves and the like), viewable
// in any browser and embeddable in HTML reports.
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

// Points of each series in its own colour; with link_pairs, point i of the
// first series is joined to point i of the second (e.g. a clip and its text).
std::string scatter_plot_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                             const std::vector<PlotSeries>& series, bool link_pairs = false, int width = 640,
                             int height = 480);

// Vertical bars, one per (label, value), labels slanted under the axis.
std::string bar_chart_svg(const std::string& title, const std::string& y_label,
                          const std::vector<std::pair<std::string, double>>& bars, int width = 640, int height = 360);

// One series per key of a JSONL metrics log (x = "step"); lines without the
// key are skipped. Errors name the file.
std::vector<PlotSeries> series_from_jsonl(const std::string& path, const std::vector<std::string>& keys);

}  // namespace clasp
