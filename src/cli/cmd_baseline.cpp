// clasp baseline asr: the transcribe-then-retrieve pipeline on the test split.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "eval/asr_baseline.h"
#include "util/fs.h"

namespace clasp::cli {

void add_baseline_commands(CLI::App& app) {
  auto* b = app.add_subcommand("baseline", "Baselines CLASP is compared with");
  b->require_subcommand(1);
  static AsrBaselineOptions o;
  static std::string json_out;
  auto* a = b->add_subcommand("asr", "PocketSphinx transcripts embedded by the text encoder, retrieved as CLASP is");
  a->add_option("-i,--in", o.manifest, "Synthesised corpus manifest")->required();
  a->add_option("-m,--model", o.model_dir, "CLASP model whose text encoder embeds the transcripts")
      ->capture_default_str();
  a->add_option("-o,--out-dir", o.out_dir, "Transcripts (resumable) and report")->capture_default_str();
  a->add_option("--split", o.split, "Split")->capture_default_str();
  a->add_option("--lang", o.lang, "Language (the ASR model is English)")->capture_default_str();
  a->add_option("--threads", o.threads, "Decoders in parallel")->capture_default_str();
  a->add_option("--json", json_out, "Write the report as JSON");
  a->callback([] {
    auto rep = run_asr_baseline(o);
    if (!json_out.empty()) {
      write_file_atomic(json_out, rep.dump(2) + "\n");
      std::printf("wrote %s\n", json_out.c_str());
    }
  });
}

}  // namespace clasp::cli
