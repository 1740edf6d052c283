#include "speech/audio_embedder.h"

#include <atomic>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <numeric>

#include "audio/audio_file.h"
#include "audio/mel.h"
#include "speech/clasp_audio_model.h"
#include "speech/mel_cache.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/json_file.h"
#include "util/paths.h"


namespace clasp {

struct AudioEmbedder::Impl {
  ClaspAudioModel model{nullptr};
  // embed() grows `mels` and runs the forward passes; one call at a time, so
  // one loaded model can serve an index add and the queries of a server.
  std::mutex mu;
  // One extractor per torch thread: the log-mel of a batch is computed in
  // parallel (a third of the pipeline's time when done on one thread).
  std::vector<std::unique_ptr<MelExtractor>> mels;

  std::vector<std::vector<float>> batch_mels(const std::vector<std::vector<float>>& segments,
                                             const std::vector<size_t>& order, size_t s, size_t e) {
    // Extractors are made here, outside the parallel region (FFTW planning is
    // not thread-safe; running separate plans is).
    while (mels.size() < static_cast<size_t>(at::get_num_threads())) mels.push_back(std::make_unique<MelExtractor>());
    std::vector<std::vector<float>> out(e - s);
    at::parallel_for(0, static_cast<int64_t>(e - s), 1, [&](int64_t b, int64_t end) {
      const auto& ex = *mels[static_cast<size_t>(at::get_thread_num())];
      for (int64_t k = b; k < end; ++k) out[static_cast<size_t>(k)] = ex.compute(segments[order[s + static_cast<size_t>(k)]]).data;
    });
    return out;
  }
};

namespace {
// Weights decide the vectors, so the version is a hash of the weight files,
// taken from the bytes the loader read, in clasp_weight_files' order: the
// model's, its speech encoder's, and those of its ensemble members and
// phonetic part; and of the speech encoder's front end (its mel floor), which
// changes the vectors without touching a weight.
std::string weights_version(const ClaspAudioModelImpl& m) {
  std::vector<uint64_t> files = {m.weights_hash};
  if (m.cfg.use_speech || m.cfg.use_frames) files.push_back(m.speech->weights_hash);
  for (const auto& member : m.members) files.push_back(member->weights_hash);
  if (m.phonetic) files.push_back(m.phonetic->weights_hash);
  // A module built in memory has no file hash: it has no identity to record.
  if (std::find(files.begin(), files.end(), uint64_t{0}) != files.end())
    throw Error("a model's identity needs every weight file read from disk; this one was built in memory");
  uint64_t h = files[0];
  for (size_t i = 1; i < files.size(); ++i) h = splitmix64(h ^ files[i]);
  const SpeechEncoderConfig* speech = m.speech ? &m.speech->cfg : nullptr;
  if (speech && speech->mel_floor_db > 0) h = splitmix64(h ^ fnv1a64("mel_floor_db=" + std::to_string(speech->mel_floor_db)));
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}
}  // namespace

AudioEmbedder::AudioEmbedder(const std::string& model_dir, bool trained) : impl_(std::make_unique<Impl>()) {
  impl_->model = load_clasp_model(model_dir, trained);
  impl_->model->eval();
  const auto& cfg = impl_->model->cfg;
  ident_.id = cfg.model_id;
  ident_.version = trained ? weights_version(*impl_->model) : "untrained";
  ident_.text_encoder_dir = clasp_text_encoder_dir(model_dir, cfg);
  ident_.dim = static_cast<int>(impl_->model->embedding_dim());
}

std::unique_ptr<AudioEmbedder> AudioEmbedder::untrained() const {
  std::unique_ptr<AudioEmbedder> e(new AudioEmbedder);
  e->impl_ = std::make_unique<Impl>();
  torch::manual_seed(1);  // the seeded initialisation load_clasp_model(dir, false) gives
  e->impl_->model = ClaspAudioModel(impl_->model->cfg, impl_->model->speech);
  e->impl_->model->eval();
  e->ident_ = ident_;
  e->ident_.version = "untrained";
  e->ident_.dim = static_cast<int>(e->impl_->model->embedding_dim());
  return e;
}

AudioEmbedder::~AudioEmbedder() = default;

std::shared_ptr<ClaspAudioModelImpl> AudioEmbedder::model() const { return impl_->model.ptr(); }

const std::vector<std::string>& AudioEmbedder::phoneme_symbols() const {
  static const std::vector<std::string> none;
  const auto& sp = impl_->model->speech;
  return sp && sp->cfg.ctc_classes > 0 ? sp->cfg.phonemes : none;
}

const std::vector<std::string>& AudioEmbedder::heard_languages() const {
  static const std::vector<std::string> none;
  const auto& ph = impl_->model->phonetic;
  return ph && ph->lang_head ? ph->cfg.languages : none;
}

std::vector<float> AudioEmbedder::embed(const std::vector<std::vector<float>>& segments, size_t batch,
                                        std::vector<std::string>* phonemes, std::vector<PhonePosteriors>* posteriors,
                                        std::vector<std::vector<float>>* languages) {
  std::lock_guard lock(impl_->mu);
  if (languages) languages->assign(segments.size(), {});
  const size_t D = static_cast<size_t>(ident_.dim);
  std::vector<float> out(segments.size() * D);
  for (size_t i = 0; i < segments.size(); ++i)
    if (segments[i].size() < kModelSampleRate / 10)
      throw Error("audio segment " + std::to_string(i) + " is " + std::to_string(segments[i].size()) +
                  " samples long; at least 0.1 s (1600 samples at 16 kHz) is needed");
  // Similar lengths together so little padding is computed.
  std::vector<size_t> order(segments.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return segments[a].size() < segments[b].size(); });
  torch::NoGradGuard ng;
  batch = std::max<size_t>(batch, 1);
  for (size_t s = 0; s < order.size(); s += batch) {
    size_t e = std::min(order.size(), s + batch);
    auto mels = impl_->batch_mels(segments, order, s, e);
    auto [x, len] = pad_mels(mels, MelCache::kMels);
    SpeechFeatures sp;
    auto enc = impl_->model->speech;
    if (phonemes && enc && !phoneme_symbols().empty()) {
      // One encoder pass gives the branches' features and the CTC transcript.
      auto o = enc->forward(x, len);
      sp = impl_->model->features_of(o);
      auto lp = enc->ctc_log_probs(o);
      phonemes->resize(segments.size());
      if (posteriors) posteriors->resize(segments.size());
      for (size_t k = s; k < e; ++k) {
        const auto row = lp.select(1, static_cast<int64_t>(k - s));
        const int64_t frames = o.lengths[static_cast<int64_t>(k - s)].item<int64_t>();
        std::string t;
        for (int64_t id : greedy_decode(row, frames)) t += phoneme_symbols()[static_cast<size_t>(id - 1)];
        (*phonemes)[order[k]] = std::move(t);
        if (posteriors) (*posteriors)[order[k]] = keep_top_posteriors(row, frames, kPosteriorTop);
      }
    } else {
      sp = impl_->model->speech_features(x, len);
      if (phonemes) phonemes->assign(segments.size(), "");
      if (posteriors) posteriors->assign(segments.size(), {});
    }
    torch::Tensor lang_logits;
    auto emb = impl_->model->embed(sp, x, len, languages ? &lang_logits : nullptr).contiguous();
    if (languages && lang_logits.defined()) {
      auto probs = torch::softmax(lang_logits, 1).contiguous();
      const float* pr = probs.data_ptr<float>();
      const auto L = static_cast<size_t>(probs.size(1));
      for (size_t k = s; k < e; ++k) (*languages)[order[k]].assign(pr + (k - s) * L, pr + (k - s + 1) * L);
    }
    const float* p = emb.data_ptr<float>();
    for (size_t k = s; k < e; ++k) std::copy(p + (k - s) * D, p + (k - s + 1) * D, out.begin() + static_cast<long>(order[k] * D));
  }
  return out;
}

namespace {
// What set_compute_threads was given: torch's own count is per thread under
// OpenMP, so a server's worker threads would read the default, not this.
std::atomic<int> g_compute_threads{0};
}  // namespace

void set_compute_threads(int n) {
  if (n <= 0) return;
  torch::set_num_threads(n);
  g_compute_threads = n;
}

int compute_threads() {
  const int n = g_compute_threads;
  return n > 0 ? n : torch::get_num_threads();
}

std::string default_clasp_model_dir() { return project_path("models/clasp-default"); }

}  // namespace clasp
