#include "report/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "util/error.h"

namespace clasp {

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

// About five round tick values covering [lo, hi].
std::vector<double> ticks(double lo, double hi) {
  double span = hi - lo, raw = span / 5, mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag * (raw / mag < 2 ? 2 : raw / mag < 5 ? 5 : 10);
  std::vector<double> t;
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) t.push_back(v);
  return t;
}

}  // namespace

namespace {

const char* colour(size_t k) {
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  return colours[k % 6];
}

// An <svg> of width x height that scales down with its container (viewBox).
std::string svg_open(int width, int height, const std::string& title) {
  const std::string w = std::to_string(width), h = std::to_string(height);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w +
         " " + h + "\" font-family=\"sans-serif\" font-size=\"12\">\n<title>" + esc(title) +
         "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"" + num(width / 2.0) +
         "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">" + esc(title) + "</text>\n";
}

std::string y_title(double x, double y, const std::string& label) {
  return "<text class=\"axis-title\" transform=\"translate(" + num(x) + "," + num(y) +
         ") rotate(-90)\" text-anchor=\"middle\">" + esc(label) + "</text>\n";
}

// A plot area with numeric axes, grid, title and labels; maps data to pixels.
// The legend is a row between the title and the plot area, outside the data.
// A lone series gets one too when it has a name: the reader must see which key
// (train_loss? val_loss?) the line is.
bool wants_legend(const std::vector<PlotSeries>& series) {
  return series.size() > 1 || (series.size() == 1 && !series[0].name.empty());
}

struct Frame {
  double x0, x1, y0, y1, L = 64, R = 16, T = 32, B = 48, pw, ph;
  int width, height;

  Frame(const AxisRange& r, bool legend, int w, int h)
      : x0(r.x0), x1(r.x1), y0(r.y0), y1(r.y1), width(w), height(h) {
    if (legend) T += 20;
    pw = width - L - R;
    ph = height - T - B;
  }
  double px(double x) const { return L + (x - x0) / (x1 - x0) * pw; }
  double py(double y) const { return T + (1 - (y - y0) / (y1 - y0)) * ph; }

  std::string open(const std::string& title, const std::string& x_label, const std::string& y_label,
                   const std::vector<PlotSeries>& series) const {
    std::string s = svg_open(width, height, title);
    for (double v : ticks(x0, x1))
      s += "<line x1=\"" + num(px(v)) + "\" x2=\"" + num(px(v)) + "\" y1=\"" + num(T) + "\" y2=\"" + num(T + ph) +
           "\" stroke=\"#eee\"/><text x=\"" + num(px(v)) + "\" y=\"" + num(T + ph + 16) +
           "\" text-anchor=\"middle\">" + num(v) + "</text>\n";
    for (double v : ticks(y0, y1))
      s += "<line x1=\"" + num(L) + "\" x2=\"" + num(L + pw) + "\" y1=\"" + num(py(v)) + "\" y2=\"" + num(py(v)) +
           "\" stroke=\"#eee\"/><text x=\"" + num(L - 6) + "\" y=\"" + num(py(v) + 4) + "\" text-anchor=\"end\">" +
           num(v) + "</text>\n";
    s += "<rect class=\"frame\" x=\"" + num(L) + "\" y=\"" + num(T) + "\" width=\"" + num(pw) + "\" height=\"" +
         num(ph) + "\" fill=\"none\" stroke=\"#444\"/>\n";
    s += "<text class=\"axis-title\" x=\"" + num(L + pw / 2) + "\" y=\"" + num(height - 10.0) +
         "\" text-anchor=\"middle\">" + esc(x_label) + "</text>\n";
    s += y_title(14, T + ph / 2, y_label);
    if (wants_legend(series)) {
      double x = L;
      for (size_t k = 0; k < series.size(); ++k) {
        s += "<g class=\"legend\"><rect x=\"" + num(x) + "\" y=\"" + num(T - 15) + "\" width=\"14\" height=\"6\" fill=\"" +
             colour(k) + "\"/><text x=\"" + num(x + 20) + "\" y=\"" + num(T - 9) + "\">" + esc(series[k].name) +
             "</text></g>\n";
        x += 40 + 7.0 * static_cast<double>(series[k].name.size());  // about 7 px a character at 12 px
      }
    }
    return s;
  }
};

}  // namespace

AxisRange data_range(const std::vector<PlotSeries>& series, double pad) {
  AxisRange r{std::numeric_limits<double>::max(), -std::numeric_limits<double>::max(),
              std::numeric_limits<double>::max(), -std::numeric_limits<double>::max()};
  for (const auto& s : series)
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      r.x0 = std::min(r.x0, s.x[i]);
      r.x1 = std::max(r.x1, s.x[i]);
      r.y0 = std::min(r.y0, s.y[i]);
      r.y1 = std::max(r.y1, s.y[i]);
    }
  if (r.x0 > r.x1) return {};  // no data: empty axes
  if (r.x1 - r.x0 < 1e-12) r.x1 = r.x0 + 1;
  if (r.y1 - r.y0 < 1e-12) r.y1 = r.y0 + 1;
  const double dx = pad * (r.x1 - r.x0), dy = pad * (r.y1 - r.y0);
  return {r.x0 - dx, r.x1 + dx, r.y0 - dy, r.y1 + dy};
}

std::string line_plot_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<PlotSeries>& series, int width, int height) {
  Frame f(data_range(series), wants_legend(series), width, height);
  std::string s = f.open(title, x_label, y_label, series);
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& se = series[k];
    std::string pts;
    for (size_t i = 0; i < se.x.size(); ++i) pts += num(f.px(se.x[i])) + "," + num(f.py(se.y[i])) + " ";
    s += "<polyline fill=\"none\" stroke=\"" + std::string(colour(k)) + "\" stroke-width=\"1.8\" points=\"" + pts +
         "\"/>\n";
  }
  return s + "</svg>\n";
}

std::string scatter_plot_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                             const std::vector<PlotSeries>& series, bool link_pairs, int width, int height,
                             std::optional<AxisRange> range) {
  Frame f(range ? *range : data_range(series, 0.05), wants_legend(series), width, height);
  std::string s = f.open(title, x_label, y_label, series);
  if (link_pairs && series.size() >= 2)
    for (size_t i = 0; i < std::min(series[0].x.size(), series[1].x.size()); ++i)
      s += "<line x1=\"" + num(f.px(series[0].x[i])) + "\" y1=\"" + num(f.py(series[0].y[i])) + "\" x2=\"" +
           num(f.px(series[1].x[i])) + "\" y2=\"" + num(f.py(series[1].y[i])) + "\" stroke=\"#bbb\" stroke-width=\"0.6\"/>\n";
  for (size_t k = 0; k < series.size(); ++k)
    for (size_t i = 0; i < series[k].x.size(); ++i)
      s += "<circle cx=\"" + num(f.px(series[k].x[i])) + "\" cy=\"" + num(f.py(series[k].y[i])) + "\" r=\"2.6\" fill=\"" +
           colour(k) + "\" fill-opacity=\"0.75\"/>\n";
  return s + "</svg>\n";
}

std::string bar_chart_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<std::pair<std::string, double>>& bars, int width, int height) {
  double top = 0;
  for (const auto& b : bars) top = std::max(top, b.second);
  if (top <= 0) top = 1;
  // Labels slant down to the left from their bar, so the last one ends
  // under the plot, not past the picture's right edge.
  const double L = 64, R = 16, T = 32, B = 120, pw = width - L - R, ph = height - T - B;
  std::string s = svg_open(width, height, title);
  for (double v : ticks(0, top)) {
    double y = T + (1 - v / top) * ph;
    s += "<line x1=\"" + num(L) + "\" x2=\"" + num(L + pw) + "\" y1=\"" + num(y) + "\" y2=\"" + num(y) +
         "\" stroke=\"#eee\"/><text x=\"" + num(L - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" + num(v) +
         "</text>\n";
  }
  s += y_title(14, T + ph / 2, y_label);
  s += "<text class=\"axis-title\" x=\"" + num(L + pw / 2) + "\" y=\"" + num(height - 8.0) +
       "\" text-anchor=\"middle\">" + esc(x_label) + "</text>\n";
  const double slot = bars.empty() ? pw : pw / static_cast<double>(bars.size());
  for (size_t i = 0; i < bars.size(); ++i) {
    double h = bars[i].second / top * ph, x = L + slot * static_cast<double>(i);
    s += "<rect class=\"bar\" x=\"" + num(x + slot * 0.15) + "\" y=\"" + num(T + ph - h) + "\" width=\"" +
         num(slot * 0.7) + "\" height=\"" + num(h) + "\" fill=\"" + colour(0) + "\"><title>" + esc(bars[i].first) +
         ": " + num(bars[i].second) + "</title></rect>\n";
    s += "<text transform=\"translate(" + num(x + slot / 2 + 4) + "," + num(T + ph + 10) +
         ") rotate(-45)\" text-anchor=\"end\" font-size=\"11\">" + esc(bars[i].first) + "</text>\n";
  }
  s += "<line x1=\"" + num(L) + "\" x2=\"" + num(L + pw) + "\" y1=\"" + num(T + ph) + "\" y2=\"" + num(T + ph) +
       "\" stroke=\"#444\"/>\n";
  return s + "</svg>\n";
}

std::vector<PlotSeries> series_from_jsonl(const std::string& path, const std::vector<std::string>& keys) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open the metrics log");
  std::vector<PlotSeries> out;
  for (const auto& k : keys) out.push_back({k, {}, {}});
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      throw Error(path + ":" + std::to_string(n) + ": not a JSON object");
    if (!j.contains("step") || !j["step"].is_number()) continue;
    for (auto& s : out)
      if (j.contains(s.name) && j[s.name].is_number()) {
        s.x.push_back(j["step"].get<double>());
        s.y.push_back(j[s.name].get<double>());
      }
  }
  return out;
}

}  // namespace clasp
