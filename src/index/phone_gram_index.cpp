#include "index/phone_gram_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

#include "speech/phoneme_vocab.h"
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

size_t substring_edit_distance(const std::vector<uint8_t>& query, const uint8_t* text, size_t n) {
  const size_t m = query.size();
  if (m == 0 || m > 64) return SIZE_MAX;
  uint64_t peq[256] = {};
  for (size_t i = 0; i < m; ++i) peq[query[i]] |= uint64_t{1} << i;
  const uint64_t high = uint64_t{1} << (m - 1);
  uint64_t pv = m == 64 ? ~uint64_t{0} : (uint64_t{1} << m) - 1, mv = 0;
  size_t score = m, best = m;
  for (size_t j = 0; j < n; ++j) {
    const uint64_t eq = peq[text[j]];
    const uint64_t xv = eq | mv;
    const uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
    uint64_t ph = mv | ~(xh | pv);
    uint64_t mh = pv & xh;
    if (ph & high) ++score;
    else if (mh & high) --score;
    ph <<= 1;  // no carry in: the match may start anywhere in the text
    mh <<= 1;
    pv = mh | ~(xv | ph);
    mv = ph & xv;
    best = std::min(best, score);
  }
  return best;
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

std::vector<uint32_t> phone_gram_query_keys(const std::string& classes) {
  auto keys = phone_gram_keys(classes);
  auto key3 = [&](size_t a, size_t b, size_t c) {
    return (uint32_t{3} << 20) | class_code(classes[a]) | class_code(classes[b]) << 5 | class_code(classes[c]) << 10;
  };
  for (size_t i = 0; i + 4 <= classes.size(); ++i) {
    keys.push_back(key3(i, i + 1, i + 3));  // the third phone not heard
    keys.push_back(key3(i, i + 2, i + 3));  // the second not heard
  }
  return keys;
}

namespace {
constexpr uint8_t kOtherSymbol = 254;    // a text symbol past the table's 254
constexpr uint8_t kUnknownSymbol = 255;  // a query symbol no text has

// The code of `sym` in `table` (its position), or `absent` when it lacks it.
uint8_t code_in(const std::vector<std::string>& table, const std::string& sym, uint8_t absent) {
  auto it = std::find(table.begin(), table.end(), sym);
  return it == table.end() ? absent : static_cast<uint8_t>(it - table.begin());
}
}  // namespace

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
  if (phone_off_.empty()) phone_off_.push_back(0);
  for (const auto& sym : ipa_symbols(ipa)) {
    uint8_t c = code_in(symbols_, sym, kOtherSymbol);
    if (c == kOtherSymbol && symbols_.size() < kOtherSymbol) {  // a symbol not seen before
      symbols_.push_back(sym);
      c = static_cast<uint8_t>(symbols_.size() - 1);
    }
    phones_.push_back(c);
  }
  phone_off_.push_back(phones_.size());
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
  auto qkeys = opt_.deletion_keys ? phone_gram_query_keys(phone_classes(query_ipa))
                                 : phone_gram_keys(phone_classes(query_ipa));
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
  // The best by BM25 (refine x m of them when refining), ties by segment id.
  std::vector<std::pair<uint32_t, float>> best;
  best.reserve(touched.size());
  for (uint32_t li : touched) best.push_back({li, score[li]});
  std::vector<uint8_t> qcodes;
  for (const auto& sym : ipa_symbols(query_ipa)) qcodes.push_back(code_in(symbols_, sym, kUnknownSymbol));
  const bool refine = opt_.refine > 0 && !qcodes.empty() && qcodes.size() <= 64;
  const size_t pool = std::min(best.size(), refine ? m * opt_.refine : m);
  auto by_bm25 = [this](const auto& a, const auto& b) {
    return a.second > b.second || (a.second == b.second && ids_[a.first] < ids_[b.first]);
  };
  std::nth_element(best.begin(), best.begin() + static_cast<long>(pool), best.end(), by_bm25);
  best.resize(pool);
  std::sort(best.begin(), best.end(), by_bm25);
  if (refine && best.size() > m) {
    // Fewest phoneme edits first; BM25's order among equals.
    std::vector<std::pair<size_t, size_t>> dist(best.size());  // (edits, BM25 rank)
    for (size_t r = 0; r < best.size(); ++r) {
      const uint32_t li = best[r].first;
      dist[r] = {substring_edit_distance(qcodes, phones_.data() + phone_off_[li], phone_off_[li + 1] - phone_off_[li]), r};
    }
    std::nth_element(dist.begin(), dist.begin() + static_cast<long>(m), dist.end());
    dist.resize(m);
    std::sort(dist.begin(), dist.end());
    std::vector<std::pair<uint32_t, float>> kept;
    for (const auto& [d, r] : dist) kept.push_back(best[r]);
    best = std::move(kept);
  }
  for (const auto& [li, sc] : best) out.push_back({ids_[li], sc});
  return out;
}

size_t PhoneGramIndex::memory_bytes() const {
  return ids_.capacity() * sizeof(int64_t) + lens_.capacity() * sizeof(uint16_t) + lang_of_.capacity() +
         keys_.capacity() * sizeof(uint32_t) + offsets_.capacity() * sizeof(uint64_t) +
         postings_.capacity() * sizeof(uint32_t) + df_.capacity() * sizeof(uint32_t) +
         phone_off_.capacity() * sizeof(uint64_t) + phones_.capacity() +
         pending_.capacity() * sizeof(pending_[0]);
}

namespace {

// 2: document frequencies stored; 3: transcripts as phoneme codes stored (refinement).
constexpr char kMagic[8] = {'C', 'L', 'P', 'G', 'R', 'A', 'M', '3'};

template <class T>
void put_vec(std::string& out, const std::vector<T>& v) {
  const uint64_t n = v.size();
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out.append(reinterpret_cast<const char*>(v.data()), n * sizeof(T));
}

void put_lines(std::string& out, const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& l : lines) all += l + '\n';
  put_vec(out, std::vector<char>(all.begin(), all.end()));
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
    if (n) std::memcpy(v.data(), bytes.data() + at, n * sizeof(T));  // an empty vector has no data pointer
    at += n * sizeof(T);
    return v;
  }
  // A table of newline-terminated strings (false when the last is not terminated).
  bool lines(std::vector<std::string>& out) {
    std::string cur;
    for (char c : vec<char>()) {
      if (c == '\n') {
        out.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += c;
      }
    }
    return cur.empty();
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
  put_lines(out, langs_);
  put_vec(out, keys_);
  put_vec(out, offsets_);
  put_vec(out, postings_);
  put_vec(out, df_);
  put_vec(out, phone_off_);
  put_vec(out, phones_);
  put_lines(out, symbols_);
  write_file_atomic(path, out);
}

bool PhoneGramIndex::current_version(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char magic[sizeof kMagic] = {};
  return f.read(magic, sizeof magic) && std::memcmp(magic, kMagic, sizeof kMagic) == 0;
}

PhoneGramIndex PhoneGramIndex::load(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() >= sizeof kMagic && std::memcmp(bytes.data(), kMagic, sizeof kMagic - 1) == 0 &&
      bytes[sizeof kMagic - 1] != kMagic[sizeof kMagic - 1])
    fail_file(path, "a phonetic candidate index of another version");
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    fail_file(path, "not a phonetic candidate index (wrong magic)");
  Reader r{bytes, path, sizeof kMagic};
  PhoneGramIndex g;
  g.avg_len_ = r.pod<double>();
  g.ids_ = r.vec<int64_t>();
  g.lens_ = r.vec<uint16_t>();
  g.lang_of_ = r.vec<uint8_t>();
  bool ok = r.lines(g.langs_);
  g.keys_ = r.vec<uint32_t>();
  g.offsets_ = r.vec<uint64_t>();
  g.postings_ = r.vec<uint32_t>();
  g.df_ = r.vec<uint32_t>();
  g.phone_off_ = r.vec<uint64_t>();
  g.phones_ = r.vec<uint8_t>();
  ok = r.lines(g.symbols_) && ok;
  const size_t n = g.ids_.size();
  ok = ok && g.lens_.size() == n && g.lang_of_.size() == n && g.offsets_.size() == g.keys_.size() + 1 &&
            g.offsets_.front() == 0 && g.offsets_.back() == g.postings_.size() && r.at == bytes.size() &&
            std::is_sorted(g.offsets_.begin(), g.offsets_.end()) && std::isfinite(g.avg_len_) && g.avg_len_ >= 1;
  for (size_t i = 0; ok && i < n; ++i) ok = g.lang_of_[i] < g.langs_.size();
  for (size_t i = 0; ok && i < g.postings_.size(); ++i) ok = g.postings_[i] < n;
  ok = ok && g.df_.size() == g.keys_.size();
  for (size_t k = 0; ok && k < g.df_.size(); ++k)
    ok = g.df_[k] >= 1 && g.df_[k] <= g.offsets_[k + 1] - g.offsets_[k];
  ok = ok && g.symbols_.size() <= kOtherSymbol &&
       (n == 0 ? g.phone_off_.size() <= 1 : g.phone_off_.size() == n + 1) &&
       (g.phone_off_.empty() || (g.phone_off_.front() == 0 && g.phone_off_.back() == g.phones_.size())) &&
       std::is_sorted(g.phone_off_.begin(), g.phone_off_.end()) &&
       std::all_of(g.phones_.begin(), g.phones_.end(),
                   [&](uint8_t c) { return c < g.symbols_.size() || c == kOtherSymbol; });
  if (!ok) fail_file(path, "damaged phonetic candidate index (its tables do not fit together)");
  g.frozen_ = true;
  return g;
}

}  // namespace clasp
