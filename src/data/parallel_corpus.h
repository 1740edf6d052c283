#pragma once
// A parallel corpus from human translations: the Debian Description
// Translation Project's description indexes (apt's Translation-en and
// Translation-XX, fetched by scripts/fetch_parallel_text.sh), aligned by
// Description-md5, cut into sentence pairs where that is safe, cleaned,
// deduplicated and split by package -> manifest utterances that
// parallel_groups() (clasp text train / eval / lexicon) reads: an English
// utterance per sentence, its translations linked to it by source_id.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

// One record of a Translation-XX index.
struct DdtpRecord {
  std::string package;
  std::string md5;          // Description-md5: the checksum of the English description
  std::string description;  // the Description-xx field: first line, then "\n"-joined continuation lines
                            // with their one leading space removed
  int line = 0;             // line of the record's first field
};

// Parses a whole index. `lang` is the language of the Description-<lang>
// field; `where` names the source in errors ("<where>:<line>: ..."). A record
// without Package, Description-md5 or Description-<lang>, a field given
// twice, a continuation line with no field before it or a line that is not
// "Field: value" is an error. Unknown fields are ignored.
std::vector<DdtpRecord> parse_ddtp_index(const std::string& text, const std::string& lang, const std::string& where);
std::vector<DdtpRecord> read_ddtp_index(const std::string& path, const std::string& lang);

// A description cut into units: the short description, and each paragraph
// of the long one as its sentences (list items are units of their own;
// bullets removed, lines joined with single spaces).
struct DdtpDescription {
  std::string short_text;
  std::vector<std::vector<std::string>> paragraphs;
};
DdtpDescription split_description(const std::string& description);
// Sentences of a run of prose: after . ! ? (and closing quotes or brackets)
// followed by a space and an upper-case letter, digit or opening quote; not
// after single letters, dotted abbreviations ("e.g.", "z.B.", "A.D.") or a
// few common short ones ("Mr.", "vs.", "bzw.", ...).
std::vector<std::string> split_sentences(const std::string& text);

struct ParallelFilterOptions {
  double min_ratio = 0.5, max_ratio = 2.0;  // target chars / English chars
  int min_words = 3;        // English words, sentences and paragraphs
  int min_words_short = 2;  // English words, short descriptions
  int max_words = 60;       // either side
};

// Why a pair is dropped ("" = kept), checked in this order:
//   "markup"     a placeholder (%s, %d, %1$s), an accelerator (&File), an
//                entity (&amp;), a <tag> or <address>, a URL or www. name
//   "nonletter"  under half of either side's non-space characters are letters
//   "short"      fewer English words than min_words (min_words_short for
//                the short description)
//   "long"       more than max_words words on either side
//   "identical"  target equal to the English (case-insensitively): untranslated
//   "ratio"      target/English length (code points) outside [min_ratio, max_ratio]
//   "script"     target letters under 90% Latin (es, fr, it, de, pt, ca, gl, eo, nl)
//   "numbers"    the two sides do not have the same numbers (digit runs)
std::string pair_filter(const std::string& en, const std::string& xx, const std::string& lang, bool short_desc,
                        const ParallelFilterOptions& opt);
// Words: whitespace-separated tokens with a letter or digit in them.
int count_words(const std::string& text);

// A sentence pair before cleaning.
struct CandidatePair {
  std::string en, xx;
  bool short_desc = false;
  int en_pos = 0;  // where the English side starts: 0 short description, then sentences in order
  bool whole_paragraph = false;  // a paragraph that could not be cut into sentence pairs
};
struct PairingStats {
  size_t paragraphs_paired = 0;    // paragraphs aligned one to one
  size_t paragraph_mismatch = 0;   // descriptions whose paragraph counts differ: short description only
  size_t sentence_pairs = 0;       // paragraphs cut into sentence pairs
  size_t whole_paragraphs = 0;     // kept as one pair: sentence counts differ, or misaligned
  size_t misaligned = 0;           // of those, equal counts but a sentence pair whose length ratio
                                   // (ParallelFilterOptions) or numbers disagree
};
// The safe pairs of one aligned description: the short descriptions; when
// both have as many paragraphs, each paragraph's sentences one to one when
// their counts match and every pair's length ratio and numbers agree, else
// the paragraph whole (pair_filter drops it when too long).
std::vector<CandidatePair> pair_descriptions(const DdtpDescription& en, const DdtpDescription& xx,
                                             const ParallelFilterOptions& opt = {}, PairingStats* stats = nullptr);

// train / validation / test of a split key: the same key lands in the same
// split for every language and every run with the same seed.
std::string ddtp_split(const std::string& key, uint64_t seed, double validation, double test);

struct ParallelCorpusOptions {
  std::string ddtp_dir = "data/parallel/ddtp";  // Translation-en, Translation-XX, package-source.tsv
  std::vector<std::string> langs = {"es", "fr", "it", "de", "pt"};
  uint64_t seed = 1;
  double validation = 0.05, test = 0.05;
  // Split key: the package's source package (from <ddtp_dir>/package-source.tsv,
  // so libfoo1, libfoo-dev and libfoo-doc share a split) or, when false or
  // the file is missing, the binary package name.
  bool split_by_source = true;
  ParallelFilterOptions filter;
};

struct ParallelLangStats {
  std::string lang;
  size_t records = 0;           // in Translation-XX
  size_t aligned = 0;           // whose Description-md5 is in Translation-en
  size_t unaligned = 0;         // md5 not in Translation-en (a stale translation)
  size_t other_package = 0;     // aligned, but Translation-en has that md5 under other packages only
  PairingStats pairing;
  size_t candidates = 0;        // pairs before cleaning
  std::map<std::string, size_t> dropped;  // pair_filter reasons, and:
                                          //  "duplicate"  the same (English, target) pair again
                                          //  "variant"    another target for an English sentence that has one
                                          //  "dup_target" the same target for another English sentence
  size_t kept = 0;
  std::map<std::string, size_t> per_split;  // kept pairs by split
};

struct ParallelCorpus {
  std::vector<Utterance> utts;  // English, then its translations in langs order; by package, then position
  std::vector<ParallelLangStats> stats;  // one per language, in langs order
  size_t english = 0;           // English utterances
  std::string split_key;        // "source" or "package"
};

// A cleaned pair from any source, before deduplication.
struct SourcePair {
  std::string unit;  // package or catalog: part of the ids, the doc, and what the split follows
  std::string key;   // orders pairs within a unit (DDTP: the description's md5)
  int pos = 0;       // then this
  size_t lang = 0;   // index into the corpus's languages
  std::string en, xx;
};
// Deduplicates pairs of every language together, by unit (then key, pos):
// an English sentence is one utterance however many units and languages
// share it, belongs to the first unit that has it and takes split_of(unit);
// each language keeps at most one target per English sentence and one
// English sentence per target ("duplicate", "variant", "dup_target" in
// corpus.stats[lang].dropped; kept and per_split counted there too, so
// corpus.stats must hold one entry per language). Appends the utterances:
// "<category>.<unit>.<n>" (English, n from 1 within the unit), then
// "<id>.<lang>" with source_id the English id.
void assemble_parallel_corpus(std::vector<SourcePair> kept, const std::string& category,
                              const std::vector<std::string>& langs,
                              const std::function<std::string(const std::string& unit)>& split_of,
                              ParallelCorpus& corpus);

// Reads <ddtp_dir>/Translation-en and Translation-<lang> of each language
// (a missing file is an error naming the fetch script) and builds the
// corpus. Ids: "ddtp.<package>.<n>" (English, n from 1 within the package)
// and "ddtp.<package>.<n>.<lang>" with source_id the English id; category
// "ddtp", doc the package. An English sentence is one utterance however many
// packages and languages share it: it belongs to the first package (by
// name) that has it, and takes that package's split. Each language keeps at
// most one target per English sentence and one English sentence per target
// (the first, by package name), so texts never repeat within a language.
ParallelCorpus build_ddtp_corpus(const ParallelCorpusOptions& opt);

}  // namespace clasp
