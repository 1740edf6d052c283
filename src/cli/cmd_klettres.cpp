// `clasp data import-klettres`: Debian's klettres-data (letters and syllables
// spoken by people) -> a test-only manifest of short utterances.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "cli/commands.h"
#include "data/import_klettres.h"
#include "util/error.h"

namespace clasp::cli {

namespace {

struct KlettresArgs {
  std::string root = "data/real/pkgs/klettres-data", langs = "en,es,fr,it,ca",
              out = "data/real/klettres/manifest.jsonl";
  bool all = false;
};

void run_import_klettres(const KlettresArgs& a) {
  const auto have = klettres_languages(a.root);
  std::vector<std::string> langs;
  if (a.all) {
    langs = have;
  } else {
    std::stringstream in(a.langs);
    for (std::string l; std::getline(in, l, ',');)
      if (!l.empty()) langs.push_back(l);
  }
  if (langs.empty()) throw Error("--langs: give at least one language folder, e.g. --langs en,es,fr,it");
  std::vector<KlettresStats> stats;
  std::vector<std::string> absent;
  auto utts = import_klettres(a.root, langs, a.out, &stats, &absent);
  if (utts.empty()) throw Error(a.root + ": no klettres utterances for --langs " + a.langs);
  write_manifest(a.out, utts);

  std::printf("folder  lang  listed  letters  syllables  minutes | skipped: duplicate  empty  no-audio\n");
  for (const auto& s : stats)
    std::printf("%-6s  %-4s  %6zu  %7zu  %9zu  %7.2f |          %9zu  %5zu  %8zu\n", s.dir.c_str(),
                klettres_lang(s.dir).c_str(), s.listed, s.letters, s.syllables, s.seconds / 60, s.duplicate, s.empty,
                s.missing_audio.size());
  for (const auto& s : stats)
    for (const auto& f : s.missing_audio) std::printf("  %s: no audio file %s\n", s.dir.c_str(), f.c_str());
  for (const auto& l : absent) std::printf("  %s: not in klettres-data\n", l.c_str());
  std::string others;
  for (const auto& d : have)
    if (std::find(langs.begin(), langs.end(), d) == langs.end()) others += " " + d;
  if (!others.empty()) std::printf("other folders (--langs or --all to take them):%s\n", others.c_str());
  std::printf("wrote %s (%zu utterances, all split \"test\")\n", a.out.c_str(), utts.size());
}

}  // namespace

void add_klettres_commands(CLI::App& data) {
  static KlettresArgs args;
  auto* c = data.add_subcommand("import-klettres",
                                "Debian's klettres-data (letters and syllables spoken by people) -> a test-only manifest");
  c->add_option("--root", args.root, "Extracted klettres-data (scripts/fetch_klettres.sh)")->capture_default_str();
  c->add_option("--langs", args.langs, "Language folders, comma separated (en, es, en_GB, pt_BR, ...)")
      ->capture_default_str();
  c->add_flag("--all", args.all, "Every language folder in the package");
  c->add_option("-o,--out", args.out, "Output manifest (audio paths relative to it)")->capture_default_str();
  c->callback([] { run_import_klettres(args); });
}

}  // namespace clasp::cli
