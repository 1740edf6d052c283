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

std::string line_plot_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<PlotSeries>& series, int width, int height) {
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  double x0 = std::numeric_limits<double>::max(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : series)
    for (size_t i = 0; i < s.x.size(); ++i) {
      x0 = std::min(x0, s.x[i]);
      x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]);
      y1 = std::max(y1, s.y[i]);
    }
  if (x0 > x1) x0 = 0, x1 = 1, y0 = 0, y1 = 1;  // no data: empty axes
  if (x1 - x0 < 1e-12) x1 = x0 + 1;
  if (y1 - y0 < 1e-12) y1 = y0 + 1;
  const double L = 64, R = 16, T = 32, B = 48, pw = width - L - R, ph = height - T - B;
  auto px = [&](double x) { return L + (x - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return T + (1 - (y - y0) / (y1 - y0)) * ph; };
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" +
                  std::to_string(height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + num(width / 2.0) + "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">" + esc(title) + "</text>\n";
  for (double v : ticks(x0, x1))
    s += "<line x1=\"" + num(px(v)) + "\" x2=\"" + num(px(v)) + "\" y1=\"" + num(T) + "\" y2=\"" + num(T + ph) +
         "\" stroke=\"#eee\"/><text x=\"" + num(px(v)) + "\" y=\"" + num(T + ph + 16) +
         "\" text-anchor=\"middle\">" + num(v) + "</text>\n";
  for (double v : ticks(y0, y1))
    s += "<line x1=\"" + num(L) + "\" x2=\"" + num(L + pw) + "\" y1=\"" + num(py(v)) + "\" y2=\"" + num(py(v)) +
         "\" stroke=\"#eee\"/><text x=\"" + num(L - 6) + "\" y=\"" + num(py(v) + 4) + "\" text-anchor=\"end\">" +
         num(v) + "</text>\n";
  s += "<rect x=\"" + num(L) + "\" y=\"" + num(T) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) +
       "\" fill=\"none\" stroke=\"#444\"/>\n";
  s += "<text x=\"" + num(L + pw / 2) + "\" y=\"" + num(height - 10.0) + "\" text-anchor=\"middle\">" + esc(x_label) +
       "</text>\n";
  s += "<text transform=\"translate(14," + num(T + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\">" + esc(y_label) +
       "</text>\n";
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& se = series[k];
    const char* c = colours[k % 6];
    std::string pts;
    for (size_t i = 0; i < se.x.size(); ++i) pts += num(px(se.x[i])) + "," + num(py(se.y[i])) + " ";
    s += "<polyline fill=\"none\" stroke=\"" + std::string(c) + "\" stroke-width=\"1.8\" points=\"" + pts + "\"/>\n";
    double ly = T + 14 + 16.0 * static_cast<double>(k);
    s += "<line x1=\"" + num(L + pw - 130) + "\" x2=\"" + num(L + pw - 110) + "\" y1=\"" + num(ly - 4) + "\" y2=\"" +
         num(ly - 4) + "\" stroke=\"" + c + "\" stroke-width=\"2\"/><text x=\"" + num(L + pw - 105) + "\" y=\"" +
         num(ly) + "\">" + esc(se.name) + "</text>\n";
  }
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
