#include "index/phone_gram_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "util/error.h"
#include "util/fs.h"
#include "util/utf8.h"

namespace clasp {

namespace {

// Broad classes of the speech encoder's phone set; 0 = no class (marks,
// boundaries, diacritics). Letters chosen to read well in a debugger.
char class_of(char32_t c) {
  switch (c) {
    case U'p': case U'b': return 'p';
    case U't': case U'd': case U'ʔ': return 't';
    case U'k': case U'ɡ': case U'g': case U'ɟ': return 'k';
    case U'f': case U'v': case U'β': case U'ʋ': case U'θ': case U'ð': return 'f';
    case U's': case U'z': case U'ɕ': case U'ʑ': return 's';
    case U'ʃ': case U'ʒ': return 'S';
    case U'h': case U'x': case U'ɣ': return 'h';
    case U'm': return 'm';
    case U'n': case U'ŋ': case U'ɲ': return 'n';
    case U'l': case U'ʎ': return 'l';
    case U'r': case U'ɾ': case U'ɹ': case U'ʁ': case U'ɚ': return 'r';
    case U'w': return 'w';
    case U'j': case U'ʝ': return 'j';
    case U'i': case U'ɪ': case U'e': case U'ɛ': case U'y': case U'ø': case U'œ': case U'ᵻ': return 'i';
    case U'a': case U'æ': case U'ɐ': case U'ɑ': case U'ɒ': case U'ʌ': case U'ə': case U'ɜ': return 'a';
    case U'o': case U'ɔ': case U'u': case U'ʊ': return 'o';
    default: return 0;
  }
}

// 5 bits per class, n in the top bits: distinct for every n-gram of n <= 4.
uint32_t class_code(char c) {
  static const std::string kOrder = "ptkfsShmnlrwjiao";
  auto p = kOrder.find(c);
  return p == std::string::npos ? 31u : static_cast<uint32_t>(p);
}

}  // namespace

std::string phone_classes(const std::string& ipa) {
  std::string out;
  for (char32_t c : utf8_code_points(ipa))
    if (char k = class_of(c)) out += k;
  return out;
}

std::vector<uint32_t> phone_gram_keys(const std::string& classes) {
  std::vector<uint32_t> keys;
  for (size_t n : {3u, 4u})
    for (size_t i = 0; i + n <= classes.size(); ++i) {
      uint32_t k = static_cast<uint32_t>(n) << 20;
      for (size_t j = 0; j < n; ++j) k |= class_code(classes[i + j]) << (5 * j);
      keys.push_back(k);
    }
  return keys;
}

void PhoneGramIndex::add(int64_t segment_id, const std::string& lang, const std::string& ipa) {
  if (frozen_) throw Error("phonetic candidate index: add() after freeze()");
  if (ids_.size() >= UINT32_MAX) throw Error("phonetic candidate index: more than 4 billion segments");
  auto li = static_cast<uint32_t>(ids_.size());
  auto it = std::find(langs_.begin(), langs_.end(), lang);
  if (it == langs_.end()) {
    if (langs_.size() >= 255) throw Error("phonetic candidate index: more than 255 languages");
    langs_.push_back(lang);
    it = langs_.end() - 1;
  }
  auto keys = phone_gram_keys(phone_classes(ipa));
  ids_.push_back(segment_id);
  lang_of_.push_back(static_cast<uint8_t>(it - langs_.begin()));
  lens_.push_back(static_cast<uint16_t>(std::min<size_t>(keys.size(), UINT16_MAX)));
  for (uint32_t k : keys) pending_.push_back({k, li});
}

void PhoneGramIndex::freeze() {
  if (frozen_) return;
  std::sort(pending_.begin(), pending_.end());
  keys_.clear();
  offsets_.clear();
  postings_.clear();
  postings_.reserve(pending_.size());
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (i == 0 || pending_[i].first != pending_[i - 1].first) {
      keys_.push_back(pending_[i].first);
      offsets_.push_back(postings_.size());
    }
    postings_.push_back(pending_[i].second);
  }
  offsets_.push_back(postings_.size());
  std::vector<std::pair<uint32_t, uint32_t>>().swap(pending_);
  df_.assign(keys_.size(), 0);
  for (size_t k = 0; k < keys_.size(); ++k)
    for (uint64_t p = offsets_[k]; p < offsets_[k + 1]; ++p) df_[k] += p == offsets_[k] || postings_[p] != postings_[p - 1];
  double total = 0;
  for (auto l : lens_) total += l;
  avg_len_ = ids_.empty() ? 1 : std::max(1.0, total / static_cast<double>(ids_.size()));
  frozen_ = true;
}

std::vector<std::pair<int64_t, float>> PhoneGramIndex::top(const std::string& query_ipa, size_t m,
                                                           const std::string& lang) const {
  if (!frozen_) throw Error("phonetic candidate index: top() before freeze()");
  std::vector<std::pair<int64_t, float>> out;
  if (ids_.empty() || m == 0) return out;
  // The language's segments and those of unknown language (which may be in it).
  int lang_idx = -1, unknown_idx = -1;
  if (!lang.empty()) {
    const auto it = std::find(langs_.begin(), langs_.end(), lang), unk = std::find(langs_.begin(), langs_.end(), "");
    if (unk != langs_.end()) unknown_idx = static_cast<int>(unk - langs_.begin());
    if (it == langs_.end() && unknown_idx < 0) return out;
    lang_idx = it == langs_.end() ? unknown_idx : static_cast<int>(it - langs_.begin());
  }
  auto qkeys = phone_gram_keys(phone_classes(query_ipa));
  std::sort(qkeys.begin(), qkeys.end());
  qkeys.erase(std::unique(qkeys.begin(), qkeys.end()), qkeys.end());
  const double n = static_cast<double>(ids_.size());
  const auto max_df = std::max(opt_.min_df_cut, static_cast<uint64_t>(opt_.max_df_share * n));
  std::vector<float> score(ids_.size(), 0.0f);
  std::vector<uint32_t> touched;
  for (uint32_t k : qkeys) {
    auto it = std::lower_bound(keys_.begin(), keys_.end(), k);
    if (it == keys_.end() || *it != k) continue;
    size_t ki = static_cast<size_t>(it - keys_.begin());
    const uint64_t b = offsets_[ki], e = offsets_[ki + 1];
    const uint64_t df = df_[ki];
    if (df > max_df) continue;
    const double idf = std::log(1.0 + (n - static_cast<double>(df) + 0.5) / (static_cast<double>(df) + 0.5));
    for (uint64_t p = b; p < e;) {
      uint32_t li = postings_[p];
      uint64_t q = p;
      while (q < e && postings_[q] == li) ++q;
      const double tf = static_cast<double>(q - p);
      p = q;
      if (lang_idx >= 0 && lang_of_[li] != lang_idx && lang_of_[li] != unknown_idx) continue;
      const double norm = opt_.k1 * (1 - opt_.b + opt_.b * lens_[li] / avg_len_);
      if (score[li] == 0.0f) touched.push_back(li);
      score[li] += static_cast<float>(idf * tf * (opt_.k1 + 1) / (tf + norm));
    }
  }
  for (uint32_t li : touched) out.push_back({ids_[li], score[li]});
  size_t keep = std::min(m, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<long>(keep), out.end(), [](const auto& a, const auto& b) {
    return a.second > b.second || (a.second == b.second && a.first < b.first);
  });
  out.resize(keep);
  return out;
}

size_t PhoneGramIndex::memory_bytes() const {
  return ids_.capacity() * sizeof(int64_t) + lens_.capacity() * sizeof(uint16_t) + lang_of_.capacity() +
         keys_.capacity() * sizeof(uint32_t) + offsets_.capacity() * sizeof(uint64_t) +
         postings_.capacity() * sizeof(uint32_t) + df_.capacity() * sizeof(uint32_t) +
         pending_.capacity() * sizeof(pending_[0]);
}

namespace {

constexpr char kMagic[8] = {'C', 'L', 'P', 'G', 'R', 'A', 'M', '2'};  // 2: document frequencies stored

template <class T>
void put_vec(std::string& out, const std::vector<T>& v) {
  const uint64_t n = v.size();
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out.append(reinterpret_cast<const char*>(v.data()), n * sizeof(T));
}

struct Reader {
  const std::string& bytes;
  const std::string& path;
  size_t at = 0;
  template <class T>
  T pod() {
    if (bytes.size() - at < sizeof(T)) fail_file(path, "truncated phonetic candidate index");
    T v;
    std::memcpy(&v, bytes.data() + at, sizeof(T));
    at += sizeof(T);
    return v;
  }
  template <class T>
  std::vector<T> vec() {
    const auto n = pod<uint64_t>();
    if (n > (bytes.size() - at) / sizeof(T)) fail_file(path, "truncated phonetic candidate index");
    std::vector<T> v(n);
    std::memcpy(v.data(), bytes.data() + at, n * sizeof(T));
    at += n * sizeof(T);
    return v;
  }
};

}  // namespace

void PhoneGramIndex::save(const std::string& path) const {
  if (!frozen_) throw Error("phonetic candidate index: save() before freeze()");
  std::string out(kMagic, sizeof kMagic);
  out.append(reinterpret_cast<const char*>(&avg_len_), sizeof avg_len_);
  put_vec(out, ids_);
  put_vec(out, lens_);
  put_vec(out, lang_of_);
  std::string langs;
  for (const auto& l : langs_) langs += l + '\n';
  put_vec(out, std::vector<char>(langs.begin(), langs.end()));
  put_vec(out, keys_);
  put_vec(out, offsets_);
  put_vec(out, postings_);
  put_vec(out, df_);
  write_file_atomic(path, out);
}

PhoneGramIndex PhoneGramIndex::load(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    fail_file(path, "not a phonetic candidate index (wrong magic)");
  Reader r{bytes, path, sizeof kMagic};
  PhoneGramIndex g;
  g.avg_len_ = r.pod<double>();
  g.ids_ = r.vec<int64_t>();
  g.lens_ = r.vec<uint16_t>();
  g.lang_of_ = r.vec<uint8_t>();
  const auto langs = r.vec<char>();
  std::string cur;
  for (char c : langs) {
    if (c == '\n') {
      g.langs_.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  g.keys_ = r.vec<uint32_t>();
  g.offsets_ = r.vec<uint64_t>();
  g.postings_ = r.vec<uint32_t>();
  g.df_ = r.vec<uint32_t>();
  const size_t n = g.ids_.size();
  bool ok = g.lens_.size() == n && g.lang_of_.size() == n && g.offsets_.size() == g.keys_.size() + 1 &&
            g.offsets_.front() == 0 && g.offsets_.back() == g.postings_.size() && r.at == bytes.size() &&
            std::is_sorted(g.offsets_.begin(), g.offsets_.end()) && std::isfinite(g.avg_len_) && g.avg_len_ >= 1;
  for (size_t i = 0; ok && i < n; ++i) ok = g.lang_of_[i] < g.langs_.size();
  for (size_t i = 0; ok && i < g.postings_.size(); ++i) ok = g.postings_[i] < n;
  ok = ok && g.df_.size() == g.keys_.size();
  for (size_t k = 0; ok && k < g.df_.size(); ++k)
    ok = g.df_[k] >= 1 && g.df_[k] <= g.offsets_[k + 1] - g.offsets_[k];
  if (!ok) fail_file(path, "damaged phonetic candidate index (its tables do not fit together)");
  g.frozen_ = true;
  return g;
}

}  // namespace clasp
