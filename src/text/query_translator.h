#pragma once
// Machine translation of search queries between English and the audio's
// language (Debian's apertium, data/translate.h), so a query can also be
// matched as it would be said in the other language. Translations are
// cached; a missing route or a failed run gives "" (the query is then
// searched as it is) and is logged once per language pair.
#include <chrono>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace clasp {

// How much of a translation's vector a translated query gets (chosen on
// Asterisk validation, docs/text.md).
constexpr double kTranslationVectorWeight = 0.5;

// query = normalize((1 - weight) query + weight translation), in place: the
// vector of a query whose translation is known (both unit vectors of D).
void mix_in_translation(float* query, const float* translation, size_t D, double weight);

class QueryTranslator {
 public:
  // At most max_running apertium runs at once (more queries are searched
  // untranslated rather than queue: each run costs about a second); after a
  // failed run a language pair rests for retry_after_s.
  explicit QueryTranslator(size_t cache_entries = 2000, double timeout_s = 10, size_t max_running = 2,
                           double retry_after_s = 60);
  // `text` from `from` into `to` (ISO 639-1, one of them English); "" when
  // apertium has no route, is not installed, fails or times out.
  std::string translate(const std::string& text, const std::string& from, const std::string& to);
  // Whether a route exists (no apertium run).
  static bool can_translate(const std::string& from, const std::string& to);
  // apertium runs started so far (cache hits and resting pairs start none).
  size_t runs() const;

 private:
  using Key = std::pair<std::string, std::string>;  // "from>to", text
  size_t capacity_;
  double timeout_s_;
  size_t max_running_, running_ = 0, runs_ = 0;
  double retry_after_s_;
  std::map<std::string, std::chrono::steady_clock::time_point> resting_;  // pair -> when it may run again
  mutable std::mutex mu_;
  std::list<Key> order_;  // most recent first
  std::map<Key, std::pair<std::string, std::list<Key>::iterator>> cache_;
  std::set<std::string> warned_;
};

}  // namespace clasp
