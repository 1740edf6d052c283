// clasp plot: SVG line plots of a JSONL metrics log.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <sstream>

#include "cli/commands.h"
#include "report/svg_plot.h"
#include "util/error.h"
#include "util/fs.h"

namespace clasp::cli {

void add_report_commands(CLI::App& app) {
  static std::string in, out, keys = "train_loss,val_loss", title = "training", ylabel = "loss";
  auto* p = app.add_subcommand("plot", "Plot keys of a JSONL metrics log against \"step\" as SVG");
  p->add_option("-i,--in", in, "metrics.jsonl")->required();
  p->add_option("-o,--out", out, "Output .svg")->required();
  p->add_option("--keys", keys, "Comma-separated keys to plot")->capture_default_str();
  p->add_option("--title", title, "Plot title")->capture_default_str();
  p->add_option("--ylabel", ylabel, "Y axis label")->capture_default_str();
  p->callback([] {
    std::vector<std::string> ks;
    std::stringstream ss(keys);
    for (std::string k; std::getline(ss, k, ',');)
      if (!k.empty()) ks.push_back(k);
    auto series = series_from_jsonl(in, ks);
    size_t points = 0;
    for (const auto& s : series) points += s.x.size();
    if (points == 0) throw Error(in + ": none of the keys " + keys + " has values");
    write_file_atomic(out, line_plot_svg(title, "step", ylabel, series));
    std::printf("wrote %s (%zu points)\n", out.c_str(), points);
  });
}

}  // namespace clasp::cli
