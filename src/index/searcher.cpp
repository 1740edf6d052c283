#include "index/searcher.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "index/heard_alignment.h"
#include "index/phonetic_rerank.h"
#include "speech/audio_embedder.h"
#include "speech/ctc_match.h"
#include "speech/phoneme_vocab.h"
#include "tts/phonemizer.h"
#include "speech/query_embedder.h"
#include "util/error.h"
#include "util/utf8.h"

namespace clasp {

IndexModel index_model_of(const AudioEmbedder& e, const std::string& model_dir) {
  IndexModel m;
  m.id = e.identity().id;
  m.version = e.identity().version;
  m.dir = std::filesystem::absolute(model_dir).lexically_normal().string();
  m.dim = e.dim();
  return m;
}

namespace {
// What every text query must be: non-empty, at most 4 KiB, UTF-8.
void check_text_query(const std::string& query) {
  if (query.empty()) throw Error("search: the query is empty");
  if (query.size() > 4096) throw Error("search: the query is " + std::to_string(query.size()) + " bytes; at most 4096");
  require_utf8(query, "search query");
}
}  // namespace

std::shared_ptr<SearchModel> SearchModel::load(const std::string& dir) {
  auto m = std::make_shared<SearchModel>();
  m->dir = dir;
  m->audio = std::make_unique<AudioEmbedder>(dir);
  m->text = std::make_unique<QueryEmbedder>(dir, m->audio->model());
  if (!m->audio->phoneme_symbols().empty()) {
    m->vocab = PhonemeVocab::from_symbols(m->audio->phoneme_symbols());
    m->costs = PhoneCosts::load(dir + "/phone-costs.json", m->audio->phoneme_symbols());
    if (std::filesystem::exists(dir + "/lexicon.json")) m->lexicon = WordLexicon::load(dir + "/lexicon.json");
  }
  return m;
}

SearchModel::~SearchModel() = default;

Searcher::Searcher(const std::string& index_dir, const std::string& model_dir, bool read_only)
    : Searcher(index_dir, SearchModel::load(model_dir.empty() ? AudioIndex::model_of(index_dir).dir : model_dir),
               read_only) {}

Searcher::Searcher(const std::string& index_dir, std::shared_ptr<SearchModel> model, bool read_only)
    : model_(std::move(model)) {
  index_ = std::make_unique<AudioIndex>(index_dir, index_model_of(*model_->audio, model_->dir),
                                        read_only ? AudioIndex::Access::ReadOnly : AudioIndex::Access::ReadWrite);
}

Searcher::~Searcher() = default;

TextQuery Searcher::prepare_text_query(const std::string& query, const std::string& query_lang, bool phonemes,
                                       const std::string& translate_to) {
  check_text_query(query);
  TextQuery t;
  if (!translate_to.empty() && translate_to != query_lang && !query_lang.empty()) {
    t.translation = model_->translator.translate(query, query_lang, translate_to);  // an apertium process, cached
    if (!t.translation.empty()) t.translation_lang = translate_to;
  }
  // No model lock: text forward passes run side by side (espeak-ng locks itself).
  t.vec = model_->text->embed({query}, query_lang);
  if (!t.translation.empty()) {
    const auto v = model_->text->embed({t.translation}, translate_to);
    mix_in_translation(t.vec.data(), v.data(), t.vec.size(), kTranslationVectorWeight);
  }
  if (phonemes && meaning_only_reason(query_lang).empty()) {
    try {
      t.ipa = phonemize_ipa(query, query_lang);
    } catch (const Error&) {
      return t;  // a language espeak-ng cannot pronounce: the vectors alone rank, as documented
    }
    t.phones = model_->vocab.encode(t.ipa);
    if (t.phones.size() > kMaxSecondStagePhonemes) {
      t.ipa.clear();
      t.phones.clear();
      return t;
    }
    // A non-English query's English translation, tried on every candidate
    // (an English query's are tried per language, in search_text).
    if (!t.translation.empty() && query_lang != "en") {
      try {
        t.glosses.push_back(model_->vocab.encode(phonemize_ipa(t.translation, translate_to)));
      } catch (const Error&) {
      }  // not pronounceable: its vector still counts
    }
    if (query_lang != "en" && model_->lexicon.has(query_lang))
      for (const auto& g : model_->lexicon.glosses(query, query_lang))
        t.glosses.push_back(model_->vocab.encode(phonemize_ipa(g, "en")));
  }
  return t;
}

std::vector<SearchHit> Searcher::search_text(const std::string& query, const SearchOptions& opt,
                                             const std::string& query_lang,
                                             std::vector<QueryTranslation>* translations_used) {
  // Re-ranking by phonemes only where they can be matched: the criterion the
  // answer's mode reports (search_json.h text_search_answer).
  const bool two_stage = opt.rerank > 0 && meaning_only_reason(query_lang).empty();
  // Translated up front: a non-English query into English; an English one
  // into the language the search is limited to (otherwise per candidate
  // language below, as glosses only).
  std::string translate_to;
  if (opt.translate && !query_lang.empty())
    translate_to = query_lang != "en" ? "en" : (opt.lang != "en" ? opt.lang : "");
  TextQuery tq = prepare_text_query(query, query_lang, two_stage, translate_to);
  const std::vector<float>& q = tq.vec;
  const std::vector<int64_t>& q_phones = tq.phones;
  const std::string& q_ipa = tq.ipa;
  if (translations_used && !tq.translation.empty()) translations_used->push_back({tq.translation_lang, tq.translation});
  if (!two_stage) return index_->search(q, opt);
  // First stage: the vectors' best `rerank` (at least k); second: phonemes.
  SearchOptions first = opt;
  first.k = std::max(opt.k, static_cast<int>(opt.rerank));
  auto hits = index_->search(q, first);
  size_t added = 0;  // candidates the scan adds
  std::istringstream in(query);
  const auto words = static_cast<size_t>(
      std::distance(std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()));
  if (opt.scan > 0 && words <= opt.scan_words && !q_phones.empty() && index_->has_phones()) {
    // The phonetic scan's best join the candidates, at their own cosine.
    SearchOptions so = opt;
    so.k = static_cast<int>(opt.scan);
    std::set<int64_t> have;
    for (const auto& h : hits) have.insert(h.segment.id);
    std::vector<SearchHit> more;
    std::vector<int64_t> more_ids;
    for (auto& h : index_->search_phonetic(q_phones, model_->vocab, so, q_ipa))
      if (have.insert(h.segment.id).second) {
        more_ids.push_back(h.segment.id);
        more.push_back(std::move(h));
      }
    const auto cos = index_->cosines_of(q, more_ids);
    for (auto& h : more)
      if (auto it = cos.find(h.segment.id); it != cos.end()) {
        h.score = it->second;
        hits.push_back(std::move(h));
        ++added;
      }
  }
  std::vector<int64_t> ids;
  for (const auto& h : hits) ids.push_back(h.segment.id);
  auto stored = index_->phones_of(ids);
  std::vector<std::vector<int64_t>> phones(hits.size());
  for (size_t i = 0; i < hits.size(); ++i)
    if (auto it = stored.find(hits[i].segment.id); it != stored.end()) phones[i] = model_->vocab.encode(it->second);
  std::vector<float> scores(hits.size());
  for (size_t i = 0; i < hits.size(); ++i) scores[i] = hits[i].score;
  PhoneticRerankOptions ro;
  ro.top_k = opt.rerank + added;  // the vectors' best `rerank` and the scan's
  ro.costs = &model_->costs;
  const auto posteriors = index_->posteriors_of(ids);
  ro.posterior_match = [&](const std::vector<int64_t>& query, const std::vector<size_t>& top) {
    std::vector<const PhonePosteriors*> p;
    for (size_t i : top) {
      auto it = posteriors.find(hits[i].segment.id);
      p.push_back(it == posteriors.end() ? nullptr : &it->second);
    }
    return ctc_match(query, p);
  };
  // Glosses: a non-English query's English ones, tried on every candidate;
  // an English query's into each other language among the candidates,
  // tried on the candidates in that language.
  std::vector<std::vector<int64_t>> glosses = tq.glosses;
  std::vector<std::string> gloss_lang;  // of each gloss, for an English query
  // (Glosses are only tried beside the query's own phonemes: none, no glosses
  // and no apertium runs for them.)
  if (query_lang == "en" && !q_phones.empty()) {
    std::set<std::string> langs;
    std::map<std::string, size_t> translatable;  // candidates per language apertium reaches
    for (const auto& h : hits) {
      const auto& l = h.segment.lang;
      if (l.empty() || l == "en") continue;
      if (model_->lexicon.has_from_english(l)) langs.insert(l);
      if (opt.translate && QueryTranslator::can_translate("en", l)) ++translatable[l];
    }
    // Translated into the candidates' kMaxTranslatedLanguages most common
    // languages at most: each is an apertium run when not cached.
    std::vector<std::pair<size_t, std::string>> by_count;
    for (const auto& [l, n] : translatable) by_count.push_back({n, l});
    std::sort(by_count.rbegin(), by_count.rend());
    if (by_count.size() > kMaxTranslatedLanguages) by_count.resize(kMaxTranslatedLanguages);
    std::map<std::string, std::string> translations;
    for (const auto& [n, l] : by_count) {
      translations[l] = l == tq.translation_lang ? tq.translation : model_->translator.translate(query, "en", l);
      langs.insert(l);
    }
    for (const auto& lang : langs) {
      if (const auto& tr = translations[lang]; !tr.empty()) {
        try {
          glosses.push_back(model_->vocab.encode(phonemize_ipa(tr, lang)));
          gloss_lang.push_back(lang);
          if (translations_used && lang != tq.translation_lang) translations_used->push_back({lang, tr});  // else above
        } catch (const Error&) {
        }  // a language espeak-ng cannot pronounce (Galician): its lexicon glosses only
      }
      for (const auto& g : model_->lexicon.glosses_from_english(query, lang)) {
        glosses.push_back(model_->vocab.encode(phonemize_ipa(g, lang)));
        gloss_lang.push_back(lang);
      }
    }
    ro.tries_gloss = [&](size_t i, size_t g) { return hits[i].segment.lang == gloss_lang[g]; };
  }
  ro.glosses = &glosses;
  phonetic_rerank(scores, q_phones, [&](size_t i) -> const std::vector<int64_t>& { return phones[i]; }, ro);
  for (size_t i = 0; i < hits.size(); ++i) hits[i].score = scores[i];
  std::stable_sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
  if (hits.size() > static_cast<size_t>(opt.k)) hits.resize(static_cast<size_t>(opt.k));
  return hits;
}

std::vector<SearchHit> Searcher::search_phonetic(const std::string& query, const std::string& lang,
                                                 const SearchOptions& opt) {
  check_text_query(query);
  if (lang.empty()) throw Error("phonetic search needs the query's language (--lang xx)");
  if (model_->audio->phoneme_symbols().empty()) throw Error("phonetic search: the index's model has no CTC phoneme head");
  const std::string ipa = phonemize_ipa(query, lang);
  const std::vector<int64_t> q = model_->vocab.encode(ipa);
  SearchOptions o = opt;
  o.lang = lang;
  auto hits = index_->search_phonetic(q, model_->vocab, o, ipa);
  if (hits.empty()) {  // no segment in that language, nor of unknown language: any language
    o.lang.clear();
    hits = index_->search_phonetic(q, model_->vocab, o, ipa);
  }
  return hits;
}

std::string Searcher::meaning_only_reason(const std::string& query_lang) const {
  if (model_->audio->phoneme_symbols().empty()) return "the model has no phoneme recogniser";
  if (query_lang.empty()) return "no query language given";
  const auto& langs = model_->audio->heard_languages();
  if (!langs.empty() && std::find(langs.begin(), langs.end(), query_lang) == langs.end()) {
    std::string known;
    for (const auto& l : langs) known += (known.empty() ? "" : ", ") + l;
    return "the model has not heard speech in '" + query_lang + "' (it knows " + known + ")";
  }
  return "";
}

void Searcher::attach_heard(std::vector<SearchHit>& hits, const std::string& query, const std::string& query_lang) {
  std::vector<int64_t> ids;
  for (const auto& h : hits) ids.push_back(h.segment.id);
  const auto phones = index_->phones_of(ids);
  for (auto& h : hits)
    if (auto it = phones.find(h.segment.id); it != phones.end()) h.heard = readable_transcript(it->second);
  if (query.empty() || !meaning_only_reason(query_lang).empty()) return;
  std::vector<std::string> symbols;
  try {
    symbols = ipa_symbols(phonemize_ipa(query, query_lang));
  } catch (const Error&) {
    return;  // a query espeak-ng cannot pronounce: nothing to mark
  }
  if (symbols.size() > kMaxSecondStagePhonemes) return;
  for (auto& h : hits) {
    const auto span = best_heard_span(symbols, h.heard);
    h.heard_match_begin = span.begin;
    h.heard_match_end = span.end;
  }
}

std::vector<SearchHit> Searcher::search_audio(const std::vector<float>& samples, const SearchOptions& opt) {
  std::vector<float> q;
  {
    std::lock_guard lock(model_->mu);
    q = model_->audio->embed({samples});
  }
  return index_->search(q, opt);
}

}  // namespace clasp
