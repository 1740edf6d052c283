#include "text/query_translator.h"

#include <algorithm>
#include <cmath>

#include "data/translate.h"
#include "util/error.h"
#include <spdlog/spdlog.h>

namespace clasp {

void mix_in_translation(float* query, const float* translation, size_t D, double weight) {
  double norm = 0;
  for (size_t d = 0; d < D; ++d) {
    query[d] = static_cast<float>((1 - weight) * query[d] + weight * translation[d]);
    norm += static_cast<double>(query[d]) * query[d];
  }
  const float inv = norm > 0 ? static_cast<float>(1 / std::sqrt(norm)) : 0.f;
  for (size_t d = 0; d < D; ++d) query[d] *= inv;
}

QueryTranslator::QueryTranslator(size_t cache_entries, double timeout_s, size_t max_running, double retry_after_s)
    : capacity_(std::max<size_t>(cache_entries, 1)), timeout_s_(timeout_s), max_running_(std::max<size_t>(max_running, 1)),
      retry_after_s_(retry_after_s) {}

bool QueryTranslator::can_translate(const std::string& from, const std::string& to) {
  return find_translation_route(from, to).has_value();
}

size_t QueryTranslator::runs() const {
  std::lock_guard lock(mu_);
  return runs_;
}

std::string QueryTranslator::translate(const std::string& text, const std::string& from, const std::string& to) {
  auto route = find_translation_route(from, to);
  if (!route || text.empty()) return "";
  route->timeout_s = timeout_s_;
  const Key key{from + ">" + to, text};
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      order_.splice(order_.begin(), order_, it->second.second);
      return it->second.first;
    }
    if (auto r = resting_.find(key.first); r != resting_.end() && std::chrono::steady_clock::now() < r->second)
      return "";  // failed a moment ago: do not pay for the same failure again
    if (running_ >= max_running_) return "";  // busy: searched untranslated
    ++running_;
    ++runs_;
  }
  // apertium runs outside the lock: other queries need not wait for it.
  std::string out, error;
  try {
    const auto t = translate_sentences({text}, *route, 1);
    out = t[0].error.empty() ? t[0].text : "";
    error = t[0].error;
  } catch (const std::exception& e) {
    error = e.what();
  }
  std::lock_guard lock(mu_);
  --running_;
  if (!error.empty()) {
    if (warned_.insert(key.first).second)
      spdlog::warn("query translation {}: {}; such queries are searched untranslated", key.first, error);
    // Not cached (a passing failure, a timeout, may not repeat), but the pair rests a while.
    resting_[key.first] = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(retry_after_s_));
    return "";
  }
  if (cache_.count(key)) return out;
  order_.push_front(key);
  cache_[key] = {out, order_.begin()};
  if (cache_.size() > capacity_) {
    cache_.erase(order_.back());
    order_.pop_back();
  }
  return out;
}

}  // namespace clasp
