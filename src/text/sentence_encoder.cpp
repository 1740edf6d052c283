#include "text/sentence_encoder.h"

#include <filesystem>

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
    for (size_t s = 0; s < texts.size(); s += batch) {
      std::vector<std::string> part(texts.begin() + s, texts.begin() + std::min(texts.size(), s + batch));
      auto e = m_->forward(m_->tokenize(part)).contiguous();
      out.insert(out.end(), e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
    }
    return out;
  }
  const TextEncoderInfo& info() const override { return m_->info(); }

 private:
  std::unique_ptr<TextEncoderModel> m_;
};
}  // namespace

std::unique_ptr<SentenceEncoder> SentenceEncoder::load(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw Error(dir + ": text encoder directory not found");
  if (!fs::exists(dir + "/clasp_text.json"))
    throw Error(dir + ": not a clasp text encoder directory (no clasp_text.json)");
  return std::make_unique<ClaspSentenceEncoder>(load_clasp_text_model(dir));
}

std::string default_text_encoder_dir() { return project_path("models/text-default"); }

}  // namespace clasp
