// `clasp data import-asterisk`: Debian's Asterisk prompts (real speakers) -> a manifest.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <sstream>

#include "cli/commands.h"
#include "data/import_prompts.h"
#include "util/error.h"

namespace clasp::cli {

namespace {

struct ImportArgs {
  std::string root = "data/real/pkgs", langs = "en,es,fr,it", out = "data/real/asterisk/manifest.jsonl";
  PromptImportOptions opt;
};

void run_import_asterisk(const ImportArgs& a) {
  std::vector<PromptSource> sources;
  std::stringstream in(a.langs);
  for (std::string l; std::getline(in, l, ',');)
    if (!l.empty()) sources.push_back(asterisk_source(a.root, l));
  if (sources.empty()) throw Error("--langs: give at least one language, e.g. --langs en,es,fr,it");
  std::map<std::string, PromptImportStats> stats;
  auto utts = import_prompts(sources, a.out, a.opt, &stats);
  if (utts.empty()) throw Error(a.root + ": no prompts kept");
  write_manifest(a.out, utts);

  std::map<std::string, std::map<std::string, size_t>> per;  // lang -> split -> n
  std::map<std::string, size_t> linked;
  std::map<std::string, double> seconds;
  for (const auto& u : utts) {
    ++per[u.lang][u.split];
    linked[u.lang] += !u.source_id.empty();
    seconds[u.lang] += u.duration;
  }
  std::printf("lang  entries  kept  train  val  test  en-linked  minutes | skipped: short  non-speech  no-text  "
              "duplicate  no-audio  (case-fixed)\n");
  for (const auto& s : sources) {
    const auto& st = stats[s.lang];
    auto& sp = per[s.lang];
    std::printf("%-4s  %7zu  %4zu  %5zu  %3zu  %4zu  %9zu  %7.1f |          %5zu  %10zu  %7zu  %9zu  %8zu  (%zu)\n",
                s.lang.c_str(), st.entries, st.kept, sp["train"], sp["validation"], sp["test"], linked[s.lang],
                seconds[s.lang] / 60, st.short_text, st.non_speech, st.no_text, st.duplicate,
                st.missing_audio.size(), st.case_fixed);
  }
  for (const auto& s : sources)
    for (const auto& name : stats[s.lang].missing_audio)
      std::printf("  %s: no audio for \"%s\"\n", s.lang.c_str(), name.c_str());
  std::printf("wrote %s (%zu utterances)\n", a.out.c_str(), utts.size());
}

}  // namespace

void add_import_commands(CLI::App& data) {
  static ImportArgs args;
  auto* c = data.add_subcommand("import-asterisk",
                                "Debian's Asterisk prompts (real speakers, 8 kHz) -> a manifest split by prompt");
  c->add_option("--root", args.root, "Extracted packages (scripts/fetch_real_speech.sh)")->capture_default_str();
  c->add_option("--langs", args.langs, "Languages, comma separated")->capture_default_str();
  c->add_option("-o,--out", args.out, "Output manifest (audio paths relative to it)")->capture_default_str();
  c->add_flag("--keep-short", args.opt.keep_short, "Keep prompts of fewer than 2 words");
  c->add_option("--seed", args.opt.seed, "Train/validation seed (the test split is fixed)")->capture_default_str();
  c->add_option("--val", args.opt.validation, "Validation share of prompts")->capture_default_str();
  c->add_option("--test", args.opt.test, "Test share of prompts")->capture_default_str();
  c->callback([] { run_import_asterisk(args); });
}

}  // namespace clasp::cli
