#include "speech/query_embedder.h"

#include <torch/torch.h>

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "speech/audio_embedder.h"
#include "speech/clasp_audio_model.h"
#include "speech/phone_sequences.h"
#include "speech/phoneme_vocab.h"
#include "text/sentence_encoder.h"
#include "tts/phonemizer.h"
#include "util/error.h"

namespace clasp {

struct QueryEmbedder::Impl {
  std::unique_ptr<SentenceEncoder> text;           // null for a "phonemes" model alone
  std::shared_ptr<ClaspAudioModelImpl> phon;       // the model with the phoneme-text tower, if any
  std::unique_ptr<PhonemeVocab> vocab;
  double weight = 1;  // share of the phonetic part in the cosine
  bool slots = true;  // the phonetic vector in its language's slot (as a phonetic part)
  // Queries embed side by side (a server's workers), but no more forward
  // passes at once than the cores hold at the configured torch thread count:
  // BLAS calls with thread teams of their own, several at once, spin against
  // each other (32 concurrent queries at 2 torch threads: under 5 queries/s
  // without this, docs/hardening.md).
  std::mutex turn_mu;
  std::condition_variable turn_cv;
  size_t running = 0;
  static size_t max_running() {
    // The cores this process may run on (taskset, a container's cpuset), not
    // all the machine's; read once, not on every query.
    static const size_t cores = [] {
      cpu_set_t set;
      return sched_getaffinity(0, sizeof set, &set) == 0 ? static_cast<size_t>(std::max(1, CPU_COUNT(&set)))
                                                         : size_t{std::max(1u, std::thread::hardware_concurrency())};
    }();
    return std::max<size_t>(1, cores / static_cast<size_t>(std::max(1, compute_threads())));
  }
  struct Turn {
    Impl& m;
    explicit Turn(Impl& impl) : m(impl) {
      std::unique_lock lock(m.turn_mu);
      m.turn_cv.wait(lock, [&] { return m.running < max_running(); });
      ++m.running;
    }
    ~Turn() {
      {
        std::lock_guard lock(m.turn_mu);
        --m.running;
      }
      m.turn_cv.notify_all();  // the limit may have grown (set_compute_threads)
    }
  };

  void use_phonetic(std::shared_ptr<ClaspAudioModelImpl> m, double w) {
    phon = std::move(m);
    vocab = std::make_unique<PhonemeVocab>(PhonemeVocab::from_symbols(phon->speech->cfg.phonemes));
    weight = w;
  }
};

QueryEmbedder::QueryEmbedder(const std::string& model_dir, std::shared_ptr<ClaspAudioModelImpl> model)
    : impl_(std::make_unique<Impl>()) {
  if (model->cfg.target == "phonemes") {  // alone, as its audio side embeds: the phonetic vector, no language slots
    impl_->use_phonetic(model, 1.0);
    impl_->slots = false;
    dim_ = static_cast<int>(model->cfg.out_dim);
    return;
  }
  impl_->text = SentenceEncoder::load(clasp_text_encoder_dir(model_dir, model->cfg));
  dim_ = impl_->text->dim();
  if (model->phonetic) {
    impl_->use_phonetic(model->phonetic, model->cfg.phonetic_weight);
    dim_ += static_cast<int>(impl_->phon->phonetic_part_dim());
  }
}

QueryEmbedder::~QueryEmbedder() = default;

SentenceEncoder* QueryEmbedder::sentence_encoder() const { return impl_->text.get(); }


std::vector<float> QueryEmbedder::embed(const std::vector<std::string>& texts, const std::string& lang) {
  const size_t n = texts.size(), D = static_cast<size_t>(dim_);
  std::vector<float> out(n * D, 0.0f);
  if (n == 0) return out;
  size_t off = 0;  // where the phonetic part starts in a row
  if (impl_->text) {
    auto sem = [&] {
      Impl::Turn turn(*impl_);
      return impl_->text->embed(texts);
    }();
    off = static_cast<size_t>(impl_->text->dim());
    const float a = impl_->phon ? static_cast<float>(std::sqrt(1 - impl_->weight)) : 1.0f;
    for (size_t i = 0; i < n; ++i)
      for (size_t k = 0; k < off; ++k) out[i * D + k] = a * sem[i * off + k];
  }
  if (!impl_->phon || lang.empty()) return out;
  if (lang.size() > 8 || lang.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos)
    throw Error("query language \"" + lang + "\": expected a language code such as \"en\"");
  // With languages, the query's phonetic vector goes in its language's slot;
  // a language the model does not know leaves the part at zero.
  torch::Tensor slot;
  const auto& langs = impl_->phon->cfg.languages;
  if (impl_->slots && !langs.empty()) {
    auto it = std::find(langs.begin(), langs.end(), lang);
    if (it == langs.end()) return out;
    slot = torch::zeros({1, static_cast<int64_t>(langs.size())});
    slot[0][it - langs.begin()] = 1.0f;
  }
  std::vector<std::vector<int64_t>> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = impl_->vocab->encode(phonemize_ipa(texts[i], lang));
  torch::NoGradGuard ng;
  Impl::Turn turn(*impl_);  // after espeak-ng: a turn is not held while waiting for its lock
  const float b = static_cast<float>(std::sqrt(impl_->weight));
  const size_t P = D - off;
  for (size_t s = 0; s < n; s += 64) {
    const size_t e = std::min(n, s + 64);
    std::vector<std::vector<int64_t>> chunk(rows.begin() + static_cast<long>(s), rows.begin() + static_cast<long>(e));
    auto [tok, len] = pad_phones(chunk);
    auto v = impl_->phon->embed_phoneme_text(tok, len);
    if (slot.defined()) v = ClaspAudioModelImpl::phonetic_part(v, slot.expand({v.size(0), slot.size(1)}));
    v = v.contiguous();
    const float* p = v.data_ptr<float>();
    for (size_t i = s; i < e; ++i) {
      if (rows[i].empty()) continue;  // nothing to pronounce: no phonetic evidence either way
      for (size_t k = 0; k < P; ++k) out[i * D + off + k] = b * p[(i - s) * P + k];
    }
  }
  return out;
}

}  // namespace clasp
