#pragma once
// A parallel corpus from the gettext message catalogs of Debian programs
// (scripts/fetch_gettext.sh): each catalog's English msgids paired with
// their translations, cleaned like the DDTP pairs (parallel_corpus.h),
// deduplicated and split by catalog, as a manifest that clasp text train /
// eval / lexicon read.
#include <string>
#include <vector>

#include "data/parallel_corpus.h"

namespace clasp {

// A user-interface message made plain: line breaks and tabs to spaces,
// mnemonic markers removed ("_Open" / "&Open" -> "Open", "&&" -> "&"),
// spaces collapsed and trimmed.
std::string plain_ui_message(const std::string& s);

// The (English, translation) units of one message: line by line when both
// have the same number of non-empty lines, else the whole message. Lines of
// command-line help (starting with '-') are left out and counted in *options.
std::vector<std::pair<std::string, std::string>> message_units(const std::string& msgid, const std::string& msgstr,
                                                               size_t* options = nullptr);

struct GettextCorpusOptions {
  std::string dir = "data/parallel/gettext/mo";  // <package>/<lang>/<domain>.mo
  std::vector<std::string> langs = {"es", "fr", "it", "de", "pt"};
  uint64_t seed = 1;
  double validation = 0.05, test = 0.05;  // shares of catalogs (domains)
  ParallelFilterOptions filter;
};

// Ids "gettext.<domain>.<n>" (English) and "<id>.<lang>"; category
// "gettext", doc and split unit the catalog's domain (its file name without
// .mo), so a program's messages share a split in every language. Per
// language stats: records = messages read, candidates = units, dropped also
// "option" (command-line help), "plural" (only the singular is kept, the
// other forms count here), "charset" (messages of catalogs not in UTF-8).
// A catalog that cannot be parsed is an Error naming it; a missing dir too.
ParallelCorpus build_gettext_corpus(const GettextCorpusOptions& opt);

}  // namespace clasp
