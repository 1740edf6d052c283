#include "index/searcher.h"

#include <filesystem>

#include "speech/audio_embedder.h"
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

Searcher::Searcher(const std::string& index_dir, const std::string& model_dir) {
  std::string dir = model_dir.empty() ? AudioIndex::model_of(index_dir).dir : model_dir;
  audio_ = std::make_unique<AudioEmbedder>(dir);
  index_ = std::make_unique<AudioIndex>(index_dir, index_model_of(*audio_, dir));
  text_ = std::make_unique<QueryEmbedder>(dir, audio_->model());
}

Searcher::~Searcher() = default;

std::vector<SearchHit> Searcher::search_text(const std::string& query, const SearchOptions& opt,
                                             const std::string& query_lang) {
  if (query.empty()) throw Error("search: the query is empty");
  if (query.size() > 4096) throw Error("search: the query is " + std::to_string(query.size()) + " bytes; at most 4096");
  require_utf8(query, "search query");
  std::vector<float> q;
  {
    std::lock_guard lock(model_mu_);
    q = text_->embed({query}, query_lang);
  }
  return index_->search(q, opt);
}

std::vector<SearchHit> Searcher::search_phonetic(const std::string& query, const std::string& lang,
                                                 const SearchOptions& opt) {
  if (query.empty()) throw Error("search: the query is empty");
  if (query.size() > 4096) throw Error("search: the query is " + std::to_string(query.size()) + " bytes; at most 4096");
  require_utf8(query, "search query");
  if (lang.empty()) throw Error("phonetic search needs the query's language (--lang xx)");
  const auto& symbols = audio_->phoneme_symbols();
  if (symbols.empty()) throw Error("phonetic search: the index's model has no CTC phoneme head");
  auto vocab = PhonemeVocab::from_symbols(symbols);
  std::vector<int64_t> q;
  {
    std::lock_guard lock(model_mu_);  // espeak-ng's front end is not thread-safe
    q = vocab.encode(phonemize_ipa(query, lang));
  }
  SearchOptions o = opt;
  o.lang = lang;
  auto hits = index_->search_phonetic(q, vocab, o);
  if (hits.empty()) {  // segments indexed without a language
    o.lang.clear();
    hits = index_->search_phonetic(q, vocab, o);
  }
  return hits;
}

std::vector<SearchHit> Searcher::search_audio(const std::vector<float>& samples, const SearchOptions& opt) {
  std::vector<float> q;
  {
    std::lock_guard lock(model_mu_);
    q = audio_->embed({samples});
  }
  return index_->search(q, opt);
}

}  // namespace clasp
