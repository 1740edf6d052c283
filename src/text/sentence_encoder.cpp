#include "text/sentence_encoder.h"

#include <atomic>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "text/hf_text_model.h"
#include "text/text_encoder_model.h"
#include "util/error.h"
#include "util/paths.h"

namespace clasp {

namespace {
class ClaspSentenceEncoder : public SentenceEncoder {
 public:
  explicit ClaspSentenceEncoder(std::unique_ptr<TextEncoderModel> m) : m_(std::move(m)) {}

  std::vector<float> embed(const std::vector<std::string>& texts, size_t batch) override {
    torch::NoGradGuard ng;
    std::vector<float> out;
    out.reserve(texts.size() * static_cast<size_t>(dim()));
    batch = std::max<size_t>(batch, 1);
    size_t cut = 0;
    for (size_t s = 0; s < texts.size(); s += batch) {
      std::vector<std::string> part(texts.begin() + s, texts.begin() + std::min(texts.size(), s + batch));
      auto tb = m_->tokenize(part);
      cut += tb.truncated;
      auto e = m_->forward(tb).contiguous();
      out.insert(out.end(), e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
    }
    if (cut) {
      truncated_ += cut;
      // Batches always say so; one-text calls (queries, often thousands) only the first time.
      if (texts.size() > 1)
        spdlog::warn("{}: {} of {} text(s) longer than {} tokens were cut", info().name, cut, texts.size(),
                     info().max_len);
      else if (!warned_single_.exchange(true))
        spdlog::warn("{}: a query longer than {} tokens was cut (later ones are counted, not logged)", info().name,
                     info().max_len);
    }
    return out;
  }
  const TextEncoderInfo& info() const override { return m_->info(); }
  size_t truncated() const override { return truncated_; }

 private:
  std::unique_ptr<TextEncoderModel> m_;
  // Queries embed on several threads at once (a server's): counters are atomic.
  std::atomic<size_t> truncated_{0};
  std::atomic<bool> warned_single_{false};
};
}  // namespace

std::unique_ptr<SentenceEncoder> SentenceEncoder::load(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw Error(dir + ": text encoder directory not found");
  if (fs::exists(dir + "/clasp_text.json"))
    return std::make_unique<ClaspSentenceEncoder>(load_clasp_text_model(dir));
  if (is_sentence_transformers_dir(dir) || is_hf_model_dir(dir))
    return std::make_unique<ClaspSentenceEncoder>(load_hf_text_model(dir));
  throw Error(dir + ": not a text encoder directory (expected clasp_text.json, modules.json or config.json)");
}

std::string default_text_encoder_dir() { return project_path("models/text-default"); }

}  // namespace clasp
