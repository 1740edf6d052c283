// The public API (include/clasp/clasp.h) over the runtime: a Model is a
// shared SearchModel, an Index a Searcher on it.
#include "clasp/clasp.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <mutex>

#include "audio/audio_file.h"
#include "index/audio_index.h"
#include "index/index_inputs.h"
#include "index/searcher.h"
#include "speech/audio_embedder.h"
#include "speech/query_embedder.h"
#include "util/error.h"
#include "util/logging.h"

namespace clasp {

struct Model::Impl {
  std::shared_ptr<SearchModel> model;
};

namespace {
ModelInfo info_of(const SearchModel& m) {
  const auto& id = m.audio->identity();
  return {id.id, id.version, m.dir, id.dim, m.audio->heard_languages()};
}
}  // namespace

Model::Model(const std::string& dir) : impl(std::make_shared<Impl>()) {
  // Log lines to standard error unless the program chose otherwise (spdlog's
  // own default logger, unnamed, writes to standard output).
  if (spdlog::default_logger()->name().empty()) log_to_stderr();
  const std::string d = dir.empty() ? default_clasp_model_dir() : dir;
  impl->model = SearchModel::load(std::filesystem::absolute(d).lexically_normal().string());
}
Model::~Model() = default;
Model::Model(const Model&) = default;
Model& Model::operator=(const Model&) = default;

ModelInfo Model::info() const { return info_of(*impl->model); }

std::vector<float> Model::embed_text(const std::string& text, const std::string& lang) const {
  if (text.empty()) throw Error("embed_text: the text is empty");
  return impl->model->text->embed({text}, lang);
}

std::vector<float> Model::embed_audio(const std::vector<float>& samples_16k) const {
  std::lock_guard lock(impl->model->mu);
  return impl->model->audio->embed({samples_16k});
}

namespace {
// spdlog lines handed to the user's callback.
class CallbackSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit CallbackSink(std::function<void(LogLevel, const std::string&)> f) : f_(std::move(f)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const LogLevel level = msg.level >= spdlog::level::err    ? LogLevel::Error
                           : msg.level >= spdlog::level::warn ? LogLevel::Warning
                           : msg.level >= spdlog::level::info ? LogLevel::Info
                                                              : LogLevel::Debug;
    f_(level, std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  std::function<void(LogLevel, const std::string&)> f_;
};
}  // namespace

void set_log_callback(std::function<void(LogLevel, const std::string&)> callback) {
  if (!callback) return log_to_stderr();
  auto logger = std::make_shared<spdlog::logger>("clasp-api", std::make_shared<CallbackSink>(std::move(callback)));
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

std::vector<float> read_audio_16k(const std::string& path) { return read_audio(path).samples; }

void set_threads(int n) { set_compute_threads(n); }

struct Index::Impl {
  std::unique_ptr<Searcher> searcher;
  std::mutex add_mu;  // one add or remove at a time (searches run beside them)
};

Index::Index(const std::string& dir, const Model& model) : impl_(std::make_unique<Impl>()) {
  impl_->searcher = std::make_unique<Searcher>(dir, model.impl->model);
}
Index::~Index() = default;

namespace {
SearchOptions options_of(const SearchParams& p) {
  if (p.k < 1 || p.k > 10000) throw Error("search: k must be 1 to 10000, got " + std::to_string(p.k));
  SearchOptions o;
  o.k = p.k;
  o.lang = p.lang;
  o.rerank = p.rerank;
  o.approx = p.approx;
  o.translate = p.translate;
  return o;
}

// `query` in `query_lang` ("" = none: an audio query) marks where each hit heard it.
std::vector<Hit> public_hits(Searcher& s, std::vector<SearchHit> hits, const std::string& query = "",
                             const std::string& query_lang = "") {
  s.attach_heard(hits, query, query_lang);
  std::vector<Hit> out;
  for (auto& h : hits)
    out.push_back({h.segment.id, h.segment.file_id, std::move(h.segment.path), h.segment.start, h.segment.end, h.score,
                   std::move(h.segment.lang), std::move(h.segment.text), std::move(h.heard), h.heard_match_begin,
                   h.heard_match_end});
  return out;
}
}  // namespace

AddSummary Index::add(const std::vector<std::string>& sources, const AddParams& params) {
  std::vector<IndexInput> inputs;
  for (const auto& s : sources) {
    auto more = collect_index_inputs(s, params.lang);
    inputs.insert(inputs.end(), more.begin(), more.end());
  }
  std::lock_guard lock(impl_->add_mu);
  auto& s = *impl_->searcher;
  AddReport r;
  {
    // Indexing runs the model: it takes the model's turn like a query does.
    std::lock_guard model_lock(s.model().mu);
    r = s.index().add(inputs, s.embedder(), {}, params.progress);
  }
  s.index().prepare_for_search();
  return {r.seen, r.added, r.replaced, r.unchanged, r.failed, r.segments, r.audio_s, r.wall_s, r.failures, r.no_speech};
}

size_t Index::remove(const std::string& path) {
  std::lock_guard lock(impl_->add_mu);
  const size_t n = impl_->searcher->index().remove(path);
  impl_->searcher->index().prepare_for_search();
  return n;
}

IndexInfo Index::info() {
  auto& s = *impl_->searcher;
  const auto st = s.index().status();
  IndexInfo i;
  i.dir = s.index().dir();
  i.model = info_of(s.model());
  i.files = st.files;
  i.segments = st.segments;
  i.audio_s = st.audio_s;
  i.languages = st.languages;
  return i;
}

std::vector<Hit> Index::search(const std::string& text, const SearchParams& params) {
  auto& s = *impl_->searcher;
  return public_hits(s, s.search_text(text, options_of(params), params.query_lang), text, params.query_lang);
}

std::vector<Hit> Index::search_audio(const std::vector<float>& samples_16k, const SearchParams& params) {
  auto& s = *impl_->searcher;
  return public_hits(s, s.search_audio(samples_16k, options_of(params)));
}

std::vector<Hit> Index::search_phonetic(const std::string& text, const std::string& lang, const SearchParams& params) {
  auto& s = *impl_->searcher;
  return public_hits(s, s.search_phonetic(text, lang, options_of(params)), text, lang);
}

}  // namespace clasp
