// clasp plot: SVG line plots of a JSONL metrics log; clasp report: the HTML report.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <sstream>

#include "cli/commands.h"
#include "report/html_report.h"
#include "report/svg_plot.h"
#include "speech/audio_embedder.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/paths.h"

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

  static ReportOptions ro;
  auto* r = app.add_subcommand("report",
                               "CLASP and the ASR baseline on the same test split: one self-contained HTML page "
                               "(metric tables, speed, model sizes, corpus histogram, loss curves, embedding projection)");
  r->add_option("-i,--in", ro.manifest, "Synthesised corpus manifest")->required();
  r->add_option("-m,--model", ro.model_dir, "CLASP model directory")->capture_default_str();
  r->add_option("-o,--out", ro.out_html, "Output HTML file")->capture_default_str();
  r->add_option("--json", ro.out_json, "Output JSON (default: beside the HTML)");
  r->add_option("--asr-dir", ro.asr_dir, "Where the ASR baseline keeps its transcripts (resumable)")->capture_default_str();
  r->add_option("--asr-model", ro.asr_models,
                "A Hugging Face Wav2Vec2ForCTC / HubertForCTC directory, run as a further ASR baseline beside "
                "PocketSphinx (the paper's pipelines); repeatable")
      ->check(CLI::ExistingDirectory);
  r->add_option("--split", ro.split, "Split to evaluate")->capture_default_str();
  r->add_option("--speed-clips", ro.speed_clips, "English test clips timed through both pipelines")
      ->capture_default_str()->check(CLI::Range(1, 100000));
  r->add_option("--projection-clips", ro.projection_clips, "English test clips in the embedding projection")
      ->capture_default_str()->check(CLI::Range(2, 100000));
  r->add_option("--threads", ro.threads, "Threads for both pipelines")->capture_default_str()->check(CLI::Range(1, 256));
  r->add_option("--seed", ro.seed, "Seed of the soft protocol's draws")->capture_default_str();
  r->add_option("--real", ro.real_manifests,
                 "A real-speech corpus manifest (clasp data import-asterisk, ...) shown in its own section; repeatable")
      ->check(CLI::ExistingFile);
  r->add_option("--rerank", ro.rerank,
                "Also report the two-stage search: each query's best K clips by CLASP score re-ranked by phonemes "
                "(0 = the paper's protocol only)")
      ->capture_default_str();
  r->add_option("--ablations", ro.ablations_dir,
                 "Folder of earlier clasp eval --json reports (ablation runs) shown as one table (none: no section)")
      ->capture_default_str();
  r->callback([] {
    set_compute_threads(ro.threads);
    ro.model_dir = resolve_project_relative(ro.model_dir);
    ro.ablations_dir = resolve_project_relative(ro.ablations_dir);
    write_report(ro);
  });
}

}  // namespace clasp::cli
