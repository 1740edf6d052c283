// `clasp data parallel` and `clasp data gettext`: human translations (DDTP's
// package descriptions, programs' gettext catalogs) -> cleaned, deduplicated
// parallel corpus manifests that `clasp text train / eval / lexicon` read.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "cli/commands.h"
#include "data/gettext_corpus.h"
#include "data/manifest.h"
#include "data/parallel_corpus.h"
#include "util/error.h"
#include "util/hash.h"

namespace clasp::cli {

namespace {

struct ParallelArgs {
  std::string ddtp = "data/parallel/ddtp", langs = "es,fr,it,de,pt", out = "data/parallel/ddtp.jsonl";
  std::string split_by = "source";
  size_t show = 0;
  ParallelCorpusOptions opt;
};

// The drop reasons, in the order the table prints them.
const std::vector<std::pair<std::string, std::string>> kDropColumns = {
    {"markup", "markup"},   {"nonletter", "nonlet"}, {"short", "short"},         {"long", "long"},
    {"identical", "ident"}, {"ratio", "ratio"},      {"script", "script"},       {"numbers", "nums"},
    {"duplicate", "dup"},   {"variant", "variant"},  {"dup_target", "dup-tgt"}};

std::vector<std::string> parse_langs(const std::string& csv) {
  std::vector<std::string> langs;
  std::stringstream in(csv);
  for (std::string l; std::getline(in, l, ',');)
    if (!l.empty()) langs.push_back(l);
  if (langs.empty()) throw Error("--langs: give at least one language, e.g. --langs es,fr,it,de,pt");
  return langs;
}

void check_shares(double validation, double test) {
  if (validation < 0 || test < 0 || validation + test >= 1)
    throw Error("--val/--test: shares must be >= 0 and sum to less than 1");
}

size_t count_of(const std::map<std::string, size_t>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? size_t{0} : it->second;
}

// English sentences per split, and a seeded sample of kept pairs per language
// to eyeball the cleaning.
void print_totals_and_samples(const ParallelCorpus& corpus, const std::vector<std::string>& langs, uint64_t seed,
                              size_t show) {
  std::map<std::string, size_t> en_split;
  for (const auto& u : corpus.utts)
    if (u.lang == "en") ++en_split[u.split];
  std::printf("English sentences: %zu (train %zu, validation %zu, test %zu); wrote %zu utterances\n",
              corpus.english, en_split["train"], en_split["validation"], en_split["test"], corpus.utts.size());
  if (show == 0) return;
  std::map<std::string, std::string> english;
  for (const auto& u : corpus.utts)
    if (u.lang == "en") english[u.id] = u.text;
  for (const auto& lang : langs) {
    std::vector<const Utterance*> xs;
    for (const auto& u : corpus.utts)
      if (u.lang == lang) xs.push_back(&u);
    std::sort(xs.begin(), xs.end(), [&](const Utterance* x, const Utterance* y) {
      return seeded_hash(seed, x->id) < seeded_hash(seed, y->id);
    });
    std::printf("\n%s samples:\n", lang.c_str());
    for (size_t i = 0; i < xs.size() && i < show; ++i)
      std::printf("  [%s %s]\n    en: %s\n    %s: %s\n", xs[i]->source_id.c_str(), xs[i]->split.c_str(),
                  english[xs[i]->source_id].c_str(), lang.c_str(), xs[i]->text.c_str());
  }
}

void run_parallel(ParallelArgs& a) {
  a.opt.ddtp_dir = a.ddtp;
  a.opt.langs = parse_langs(a.langs);
  if (a.split_by != "source" && a.split_by != "package")
    throw Error("--split-by: expected source or package, got \"" + a.split_by + "\"");
  a.opt.split_by_source = a.split_by == "source";
  check_shares(a.opt.validation, a.opt.test);

  auto corpus = build_ddtp_corpus(a.opt);
  if (corpus.utts.empty()) throw Error(a.ddtp + ": no sentence pairs kept");
  write_manifest(a.out, corpus.utts);

  std::printf("DDTP %s -> %s (split by %s package, seed %llu)\n", a.ddtp.c_str(), a.out.c_str(),
              corpus.split_key.c_str(), static_cast<unsigned long long>(a.opt.seed));
  std::printf("%-4s %7s %7s %6s %6s | %6s %6s %6s %6s %7s | %7s |", "lang", "records", "aligned", "stale", "mism",
              "sent", "whole", "misal", "pmism", "cand", "kept");
  for (const auto& [k, h] : kDropColumns) std::printf(" %7s", h.c_str());
  std::printf(" | %7s %6s %6s\n", "train", "val", "test");
  for (const auto& s : corpus.stats) {
    std::printf("%-4s %7zu %7zu %6zu %6zu | %6zu %6zu %6zu %6zu %7zu | %7zu |", s.lang.c_str(), s.records, s.aligned,
                s.unaligned, s.other_package, s.pairing.sentence_pairs, s.pairing.whole_paragraphs,
                s.pairing.misaligned, s.pairing.paragraph_mismatch, s.candidates, s.kept);
    for (const auto& [k, h] : kDropColumns) std::printf(" %7zu", count_of(s.dropped, k));
    std::printf(" | %7zu %6zu %6zu\n", count_of(s.per_split, "train"), count_of(s.per_split, "validation"),
                count_of(s.per_split, "test"));
  }
  std::printf(
      "  aligned: Description-md5 found in Translation-en; stale: not found; mism: found under other packages only\n"
      "  sent / whole: paragraphs cut into sentence pairs / kept whole (sentence counts differ, or misal: equal\n"
      "  counts but a sentence pair's length ratio or numbers disagree);\n"
      "  pmism: descriptions whose paragraph counts differ (short description only); cand: pairs before cleaning\n");
  print_totals_and_samples(corpus, a.opt.langs, a.opt.seed, a.show);
}

struct GettextArgs {
  std::string langs = "es,fr,it,de,pt", out = "data/parallel/gettext.jsonl";
  size_t show = 0;
  GettextCorpusOptions opt;
};

// The gettext table's drop reasons, in print order.
const std::vector<std::pair<std::string, std::string>> kGettextDropColumns = {
    {"charset", "charset"}, {"option", "option"},    {"markup", "markup"}, {"nonletter", "nonlet"},
    {"short", "short"},     {"long", "long"},        {"identical", "ident"}, {"ratio", "ratio"},
    {"script", "script"},   {"numbers", "nums"},     {"duplicate", "dup"}, {"variant", "variant"},
    {"dup_target", "dup-tgt"}};

void run_gettext(GettextArgs& a) {
  a.opt.langs = parse_langs(a.langs);
  check_shares(a.opt.validation, a.opt.test);
  auto corpus = build_gettext_corpus(a.opt);
  if (corpus.utts.empty()) throw Error(a.opt.dir + ": no message pairs kept");
  write_manifest(a.out, corpus.utts);
  std::printf("gettext %s -> %s (split by catalog, seed %llu)\n", a.opt.dir.c_str(), a.out.c_str(),
              static_cast<unsigned long long>(a.opt.seed));
  std::printf("%-4s %8s %8s %7s |", "lang", "messages", "units", "kept");
  for (const auto& [k, h] : kGettextDropColumns) std::printf(" %7s", h.c_str());
  std::printf(" | %7s %6s %6s\n", "train", "val", "test");
  for (const auto& s : corpus.stats) {
    std::printf("%-4s %8zu %8zu %7zu |", s.lang.c_str(), s.records, s.candidates, s.kept);
    for (const auto& [k, h] : kGettextDropColumns) std::printf(" %7zu", count_of(s.dropped, k));
    std::printf(" | %7zu %6zu %6zu\n", count_of(s.per_split, "train"), count_of(s.per_split, "validation"),
                count_of(s.per_split, "test"));
  }
  std::printf(
      "  units: message lines paired (line by line when both sides have as many), before cleaning;\n"
      "  charset: messages of catalogs not in UTF-8; option: command-line help lines\n");
  print_totals_and_samples(corpus, a.opt.langs, a.opt.seed, a.show);
}

}  // namespace

void add_parallel_commands(CLI::App& data) {
  static ParallelArgs args;
  auto* c = data.add_subcommand(
      "parallel", "Human translations (Debian's package description translations) -> a cleaned parallel corpus");
  c->add_option("--ddtp", args.ddtp, "Translation-en/-XX indexes (scripts/fetch_parallel_text.sh)")
      ->capture_default_str();
  c->add_option("--langs", args.langs, "Target languages, comma separated")->capture_default_str();
  c->add_option("-o,--out", args.out, "Output manifest (English sentences + linked translations)")
      ->capture_default_str();
  c->add_option("--seed", args.opt.seed, "Split seed")->capture_default_str();
  c->add_option("--val", args.opt.validation, "Validation share of packages")->capture_default_str();
  c->add_option("--test", args.opt.test, "Test share of packages")->capture_default_str();
  c->add_option("--split-by", args.split_by,
                "Split unit: source (a source package's binaries together; package-source.tsv) or package")
      ->capture_default_str();
  c->add_option("--max-words", args.opt.filter.max_words, "Drop pairs with more words on either side")
      ->capture_default_str();
  c->add_option("--min-ratio", args.opt.filter.min_ratio, "Lowest target/English length ratio (characters)")
      ->capture_default_str();
  c->add_option("--max-ratio", args.opt.filter.max_ratio, "Highest target/English length ratio (characters)")
      ->capture_default_str();
  c->add_option("--show", args.show, "Print this many sample pairs per language");
  c->callback([] { run_parallel(args); });

  static GettextArgs gargs;
  auto* g = data.add_subcommand(
      "gettext", "Human translations of programs' messages (gettext catalogs) -> a cleaned parallel corpus");
  g->add_option("--dir", gargs.opt.dir, "Catalogs as <package>/<lang>/<domain>.mo (scripts/fetch_gettext.sh)")
      ->capture_default_str();
  g->add_option("--langs", gargs.langs, "Target languages, comma separated")->capture_default_str();
  g->add_option("-o,--out", gargs.out, "Output manifest (English messages + linked translations)")
      ->capture_default_str();
  g->add_option("--seed", gargs.opt.seed, "Split seed")->capture_default_str();
  g->add_option("--val", gargs.opt.validation, "Validation share of catalogs")->capture_default_str();
  g->add_option("--test", gargs.opt.test, "Test share of catalogs")->capture_default_str();
  g->add_option("--min-words", gargs.opt.filter.min_words, "Drop pairs with fewer English words")
      ->capture_default_str();
  g->add_option("--max-words", gargs.opt.filter.max_words, "Drop pairs with more words on either side")
      ->capture_default_str();
  g->add_option("--show", gargs.show, "Print this many sample pairs per language");
  g->callback([] { run_gettext(gargs); });
}

}  // namespace clasp::cli
