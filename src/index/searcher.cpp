#include "index/searcher.h"

#include <filesystem>

#include "speech/audio_embedder.h"
#include "text/sentence_encoder.h"
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
  text_ = SentenceEncoder::load(audio_->identity().text_encoder_dir);
}

Searcher::~Searcher() = default;

std::vector<SearchHit> Searcher::search_text(const std::string& query, const SearchOptions& opt) {
  if (query.empty()) throw Error("search: the query is empty");
  if (query.size() > 4096) throw Error("search: the query is " + std::to_string(query.size()) + " bytes; at most 4096");
  require_utf8(query, "search query");
  std::vector<float> q;
  {
    std::lock_guard lock(model_mu_);
    q = text_->embed({query});
  }
  return index_->search(q, opt);
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
