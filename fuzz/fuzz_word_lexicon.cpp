// Target: the word lexicon (src/text/word_lexicon.*, src/text/unicode_case.*).
// Feeds: (1) the input as text to lexicon_words (ICU lower-casing and the
// word splitter) and utf8_strip_accents; (2) the input as a lexicon.json
// file (written to a private temporary file) to WordLexicon::load, as
// SearchModel::load reads <model>/lexicon.json. An accepted lexicon glosses
// its own words both ways, is merged into a copy of itself, saved and
// loaded again, and must gloss the same after the round trip.
// Why: the lexicon ships with models and is user-editable JSON; a malformed
// one must be a clasp::Error naming the file, and glossing arbitrary query
// text must never crash.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "text/unicode_case.h"
#include "text/word_lexicon.h"
#include "util/error.h"
#include "util/utf8.h"

namespace {

// The languages and some words of a lexicon file (the class does not list them).
void languages_and_words(const std::string& input, std::vector<std::string>* langs, std::string* words) {
  const auto j = nlohmann::json::parse(input, nullptr, false);
  if (!j.is_object()) return;
  for (const char* key : {"languages", "from_english"}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_object()) continue;
    for (const auto& [lang, table] : it->items()) {
      if (langs->size() < 8) langs->push_back(lang);
      if (!table.is_object()) continue;
      size_t n = 0;
      for (const auto& [w, g] : table.items()) {
        if (++n > 32) break;
        *words += w + " ";
        if (g.is_string()) *words += g.get<std::string>() + " ";
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = clasp_fuzz::as_string(data, size);
  try {
    for (const auto& w : clasp::lexicon_words(input)) {
      CLASP_FUZZ_CHECK(!w.empty());
      CLASP_FUZZ_CHECK(clasp::find_invalid_utf8(w) == std::string::npos);
    }
    clasp::utf8_strip_accents(input);
  } catch (const clasp::Error&) {
  }

  static clasp_fuzz::TempFile file("lexicon"), saved("lexicon-saved");
  clasp::WordLexicon lex;
  try {
    lex = clasp::WordLexicon::load(file.write(input));
  } catch (const clasp::Error&) {
    return 0;
  }
  std::vector<std::string> langs;
  std::string words;
  languages_and_words(input, &langs, &words);
  langs.push_back("en");
  const std::string texts[] = {words, input.substr(0, 256)};
  for (const auto& lang : langs)
    for (const auto& text : texts) {
      try {
        const auto g = lex.glosses(text, lang);
        CLASP_FUZZ_CHECK(lex.gloss(text, lang) == (g.empty() ? "" : g.front()));
        lex.glosses_from_english(text, lang);
      } catch (const clasp::Error&) {  // text that is not UTF-8
      }
    }

  clasp::WordLexicon merged = lex;
  merged.merge(lex, clasp::WordLexicon::Merge::Alternatives);
  merged.merge(lex, clasp::WordLexicon::Merge::OtherWins);
  lex.save(saved.path());
  const clasp::WordLexicon again = clasp::WordLexicon::load(saved.path());  // what save() writes, load() reads
  for (const auto& lang : langs) {
    CLASP_FUZZ_CHECK(again.has(lang) == lex.has(lang) && again.size(lang) == lex.size(lang));
    try {
      CLASP_FUZZ_CHECK(again.glosses(words, lang) == lex.glosses(words, lang));
      CLASP_FUZZ_CHECK(again.glosses_from_english(words, lang) == lex.glosses_from_english(words, lang));
      CLASP_FUZZ_CHECK(merged.glosses(words, lang) == lex.glosses(words, lang));
    } catch (const clasp::Error&) {
    }
  }
  return 0;
}
