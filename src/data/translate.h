#pragma once
// Machine translation of manifest sentences with Debian's apertium, run as a
// subprocess. Direct English pairs where they exist, otherwise a pivot
// through Spanish. Each translation keeps the id of its English source.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

struct TranslationRoute {
  std::string lang;                // target ISO 639-1 code
  std::vector<std::string> modes;  // apertium modes applied in order
  double timeout_s = 300;          // per apertium pass
};

// Known routes; throws clasp::Error naming the language when unsupported.
TranslationRoute translation_route(const std::string& lang);
std::vector<std::string> supported_translation_languages();
// A route between English and another language, either way; nullopt when
// Debian's apertium has none (two other languages: none either).
std::optional<TranslationRoute> find_translation_route(const std::string& from, const std::string& to);

struct Translation {
  std::string text;
  std::string error;  // "" when translated
};

// Translates sentences through the route's modes. Batches many lines per
// apertium call; a batch that fails or loses line alignment is retried one
// sentence at a time so a failure is pinned to its sentence.
std::vector<Translation> translate_sentences(const std::vector<std::string>& sentences,
                                             const TranslationRoute& route, size_t batch = 400,
                                             const std::function<void(size_t)>& on_progress = {});

struct TranslateOutcome {
  std::vector<Utterance> translated;  // successful translations
  std::vector<Utterance> failed;      // the source utterance, lang = target, error set
};

// Translates every English utterance into each language. Ids become
// "<source id>.<lang>", source_id links back, category/split/doc are kept.
TranslateOutcome translate_manifest(const std::vector<Utterance>& english,
                                    const std::vector<std::string>& langs,
                                    const std::function<void(const std::string&, size_t, size_t)>&
                                        on_progress = {});

}  // namespace clasp
