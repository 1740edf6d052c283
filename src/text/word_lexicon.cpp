#include "text/word_lexicon.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "text/unicode_case.h"
#include "util/error.h"

namespace clasp {

namespace {

constexpr const char* kFormat = "clasp-lexicon-1";

// The length of the UTF-8 character at i, and whether it belongs to a
// word: ASCII letters and digits, and every other non-ASCII character
// except the Latin-1 punctuation block (C2 xx: « » ¡ ¿, but the Catalan
// middle dot of "l·l" is a letter here) and General Punctuation (E2 80 xx:
// ’ “ ” —).
std::pair<size_t, bool> next_char(const std::string& s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {1, std::isalnum(c) != 0};
  const size_t n = std::min(s.size() - i, size_t{c >= 0xF0 ? 4u : c >= 0xE0 ? 3u : c >= 0xC0 ? 2u : 1u});
  if (c == 0xC2) return {n, n == 2 && static_cast<unsigned char>(s[i + 1]) == 0xB7};
  if (c == 0xE2 && n > 1 && static_cast<unsigned char>(s[i + 1]) == 0x80) return {n, false};
  return {n, n > 1};
}

// One language's Model 1: t(e | f) for every English word e and word f
// seen together in a sentence pair, by EM; f = 0 is the empty word.
std::map<std::string, std::string> learn_one(const std::vector<std::pair<std::string, std::string>>& pairs,
                                             const LexiconOptions& opt) {
  std::unordered_map<std::string, uint32_t> fid, eid;
  std::vector<std::string> fwords = {""};
  std::vector<int> fcount = {0};
  auto id_of = [](std::unordered_map<std::string, uint32_t>& ids, const std::string& w, uint32_t next) {
    return ids.emplace(w, next).first->second;
  };
  std::vector<std::vector<uint32_t>> F, E;
  for (const auto& [f, e] : pairs) {
    std::vector<uint32_t> fs = {0}, es;
    for (const auto& w : lexicon_words(f)) {
      const uint32_t k = id_of(fid, w, static_cast<uint32_t>(fwords.size()) );
      if (k == fwords.size()) {
        fwords.push_back(w);
        fcount.push_back(0);
      }
      ++fcount[k];
      fs.push_back(k);
    }
    for (const auto& w : lexicon_words(e)) es.push_back(id_of(eid, w, static_cast<uint32_t>(eid.size())));
    if (fs.size() > 1 && !es.empty()) {
      F.push_back(std::move(fs));
      E.push_back(std::move(es));
    }
  }
  std::vector<std::string> ewords(eid.size());
  for (const auto& [w, k] : eid) ewords[k] = w;
  // Every co-occurring (f, e) once, sorted; each pair's cells point into it.
  auto key = [](uint32_t f, uint32_t e) { return (static_cast<uint64_t>(f) << 32) | e; };
  std::vector<uint64_t> keys;
  for (size_t s = 0; s < F.size(); ++s)
    for (uint32_t e : E[s])
      for (uint32_t f : F[s]) keys.push_back(key(f, e));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<std::vector<uint32_t>> cell(F.size());
  for (size_t s = 0; s < F.size(); ++s)
    for (uint32_t e : E[s])
      for (uint32_t f : F[s])
        cell[s].push_back(static_cast<uint32_t>(std::lower_bound(keys.begin(), keys.end(), key(f, e)) - keys.begin()));
  std::vector<double> t(keys.size(), 1.0), count(keys.size());
  std::vector<double> total(fwords.size());
  for (int it = 0; it < opt.iterations; ++it) {
    std::fill(count.begin(), count.end(), 0.0);
    std::fill(total.begin(), total.end(), 0.0);
    for (size_t s = 0; s < F.size(); ++s) {
      const size_t nf = F[s].size();
      for (size_t j = 0; j < E[s].size(); ++j) {
        const uint32_t* c = &cell[s][j * nf];
        double z = 0;
        for (size_t i = 0; i < nf; ++i) z += t[c[i]];
        for (size_t i = 0; i < nf; ++i) {
          const double p = t[c[i]] / z;
          count[c[i]] += p;
          total[F[s][i]] += p;
        }
      }
    }
    for (size_t k = 0; k < keys.size(); ++k) t[k] = count[k] / total[keys[k] >> 32];
  }
  // Each word's likeliest English word.
  std::vector<std::pair<double, uint32_t>> best(fwords.size(), {0.0, 0});
  for (size_t k = 0; k < keys.size(); ++k) {
    const auto f = static_cast<uint32_t>(keys[k] >> 32);
    if (t[k] > best[f].first) best[f] = {t[k], static_cast<uint32_t>(keys[k] & 0xffffffffu)};
  }
  std::map<std::string, std::string> out;
  for (size_t f = 1; f < fwords.size(); ++f)
    if (fcount[f] >= opt.min_count && best[f].first >= opt.min_prob) out[fwords[f]] = ewords[best[f].second];
  return out;
}

}  // namespace

std::vector<std::string> lexicon_words(const std::string& text) {
  const std::string s = utf8_lower(text);
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < s.size();) {
    const auto [n, letter] = next_char(s, i);
    if (letter) {
      cur.append(s, i, n);
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
    i += n;
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

WordLexicon WordLexicon::learn(const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& pairs,
                               const LexiconOptions& opt) {
  WordLexicon lex;
  for (const auto& [lang, p] : pairs) {
    for (auto& [w, g] : learn_one(p, opt)) lex.glosses_[lang][w] = {std::move(g)};
    std::vector<std::pair<std::string, std::string>> back;
    back.reserve(p.size());
    for (const auto& [f, e] : p) back.emplace_back(e, f);
    for (auto& [w, g] : learn_one(back, opt)) lex.from_english_[lang][w] = {std::move(g)};
  }
  lex.reindex();
  return lex;
}

size_t WordLexicon::size(const std::string& lang) const {
  auto it = glosses_.find(lang);
  return it == glosses_.end() ? 0 : it->second.size();
}

namespace {
using Glosses = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

// Every distinct gloss of `text`: the k-th replaces each word by its k-th
// gloss in `table` (its last where it has fewer), else by that of its bare
// form in `bare`; unknown words kept.
std::vector<std::string> glosses_with(const Glosses& table, const Glosses& bare, const std::string& text,
                                      const std::string& lang) {
  auto it = table.find(lang);
  if (it == table.end()) return {};
  auto b = bare.find(lang);
  std::vector<const std::vector<std::string>*> found;
  const auto words = lexicon_words(text);
  size_t variants = 1;
  for (const auto& w : words) {
    const std::vector<std::string>* g = nullptr;
    if (auto e = it->second.find(w); e != it->second.end()) g = &e->second;
    else if (b != bare.end())
      if (auto e2 = b->second.find(utf8_strip_accents(w)); e2 != b->second.end()) g = &e2->second;
    found.push_back(g);
    if (g) variants = std::max(variants, g->size());
  }
  std::vector<std::string> out;
  for (size_t k = 0; k < variants; ++k) {
    std::string v;
    for (size_t i = 0; i < words.size(); ++i) {
      if (!v.empty()) v += ' ';
      v += found[i] && !found[i]->empty() ? (*found[i])[std::min(k, found[i]->size() - 1)] : words[i];
    }
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  }
  return out;
}

std::string first_or_empty(std::vector<std::string> v) { return v.empty() ? "" : std::move(v.front()); }

// Each language's glosses under the words' bare forms, for the words whose
// bare form differs (the first such word in order where several share one).
Glosses bare_forms(const Glosses& table) {
  Glosses out;
  for (const auto& [lang, words] : table) {
    auto& mine = out[lang];
    for (const auto& [w, g] : words)
      if (auto bare = utf8_strip_accents(w); bare != w) mine.emplace(std::move(bare), g);
  }
  return out;
}
}  // namespace

std::string WordLexicon::gloss(const std::string& text, const std::string& lang) const {
  return first_or_empty(glosses(text, lang));
}

std::vector<std::string> WordLexicon::glosses(const std::string& text, const std::string& lang) const {
  return glosses_with(glosses_, bare_glosses_, text, lang);
}

std::string WordLexicon::gloss_from_english(const std::string& text, const std::string& lang) const {
  return first_or_empty(glosses_from_english(text, lang));
}

std::vector<std::string> WordLexicon::glosses_from_english(const std::string& text, const std::string& lang) const {
  return glosses_with(from_english_, bare_from_english_, text, lang);
}

void WordLexicon::merge(const WordLexicon& other, Merge how) {
  auto add = [how](Glosses& to, const Glosses& from) {
    for (const auto& [lang, words] : from) {
      auto& mine = to[lang];
      for (const auto& [word, g] : words) {
        auto [it, fresh] = mine.emplace(word, g);
        if (fresh || how == Merge::KeepMine) continue;
        if (how == Merge::OtherWins) {
          it->second = g;
          continue;
        }
        for (const auto& alt : g)
          if (it->second.size() < kMaxAlternatives &&
              std::find(it->second.begin(), it->second.end(), alt) == it->second.end())
            it->second.push_back(alt);
      }
    }
  };
  add(glosses_, other.glosses_);
  add(from_english_, other.from_english_);
  reindex();
}

void WordLexicon::reindex() {
  bare_glosses_ = bare_forms(glosses_);
  bare_from_english_ = bare_forms(from_english_);
}

namespace {
// A word's gloss as a string, its alternatives (when it has several) as an array of them.
nlohmann::json to_json(const Glosses& table) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [lang, words] : table) {
    auto& l = out[lang] = nlohmann::json::object();
    for (const auto& [w, g] : words) l[w] = g.size() == 1 ? nlohmann::json(g.front()) : nlohmann::json(g);
  }
  return out;
}
}  // namespace

void WordLexicon::save(const std::string& path) const {
  nlohmann::json j = {{"format", kFormat}, {"target", "en"}, {"languages", to_json(glosses_)}};
  if (!from_english_.empty()) j["from_english"] = to_json(from_english_);
  std::ofstream f(path);
  f << j.dump() << "\n";
  if (!f) throw Error(path + ": cannot write the lexicon");
}

WordLexicon WordLexicon::load(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw Error(path + ": cannot read the lexicon");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const std::exception& e) {
    throw Error(path + ": not a lexicon (not JSON: " + std::string(e.what()) + ")");
  }
  // Compared as JSON: "format": 1 is not a lexicon (value() would throw a type_error).
  if (!j.is_object() || !j.contains("format") || j["format"] != kFormat)
    throw Error(path + ": not a lexicon (expected \"format\": \"" + kFormat + "\")");
  if (!j.contains("languages") || !j["languages"].is_object())
    throw Error(path + ": \"languages\" must be an object of language -> {word: English word}");
  WordLexicon lex;
  // `from_english` (English -> language glosses) is optional: files made before it have none.
  for (const auto& [key, table] : {std::pair{"languages", &lex.glosses_}, std::pair{"from_english", &lex.from_english_}}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_object()) throw Error(path + ": \"" + key + "\" must be an object of language -> {word: gloss}");
    for (const auto& [lang, words] : j[key].items()) {
      if (!words.is_object()) throw Error(path + ": " + key + "." + lang + " must be an object of word -> gloss");
      for (const auto& [w, e] : words.items()) {
        auto& g = (*table)[lang][w];
        if (e.is_string()) g = {e.get<std::string>()};
        if (e.is_array() && !e.empty() && e.size() <= kMaxAlternatives)
          for (const auto& alt : e)
            if (alt.is_string()) g.push_back(alt.get<std::string>());
        if (g.empty() || (e.is_array() && g.size() != e.size()))
          throw Error(path + ": " + key + "." + lang + "." + w + " must be a string or an array of 1-" +
                      std::to_string(kMaxAlternatives) + " strings");
      }
    }
  }
  lex.reindex();
  return lex;
}

}  // namespace clasp
