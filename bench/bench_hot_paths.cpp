// Google Benchmark suite for the hot paths: log-mel, the speech encoder,
// the spectrogram CNN (forward and training step), fusion, the text
// encoder, the whole audio pipeline, vector search and the ASR baselines'
// recognisers. Run through
// scripts/bench.sh, which saves JSON so runs can be compared.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <tuple>

#include "asr/ctc_vocabulary.h"
#include "asr/pocketsphinx_asr.h"
#include "audio/mel.h"
#include "index/vector_index.h"
#include "models/hf_speech_model.h"
#include "models/frame_branch.h"
#include "models/fusion.h"
#include "speech/audio_embedder.h"
#include "speech/speech_encoder.h"
#include "text/query_translator.h"
#include "text/sentence_encoder.h"
#include "tts/synth_job.h"
#include "tts/voice_catalog.h"
#include "util/blas_kernel.h"
#include "util/logging.h"
#include "util/malloc_tuning.h"
#include "util/paths.h"

namespace {

using namespace clasp;

constexpr int kRate = 16000;

// A voiced-like test signal: harmonics with a slow pitch glide plus noise.
std::vector<float> test_signal(double seconds, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.f, 0.01f);
  std::vector<float> x(static_cast<size_t>(seconds * kRate));
  double phase = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double f0 = 120 + 40 * std::sin(2 * M_PI * 0.5 * i / kRate);
    phase += 2 * M_PI * f0 / kRate;
    float s = 0;
    for (int h = 1; h <= 8; ++h) s += std::sin(h * phase) / h;
    x[i] = 0.1f * s + noise(rng);
  }
  return x;
}

void set_rate_counter(benchmark::State& st, double audio_seconds_per_iter) {
  st.counters["audio_s_per_s"] =
      benchmark::Counter(audio_seconds_per_iter * st.iterations(), benchmark::Counter::kIsRate);
}

// Arg: seconds of audio.
void BM_LogMel(benchmark::State& st) {
  MelExtractor mel;
  auto x = test_signal(st.range(0));
  for (auto _ : st) benchmark::DoNotOptimize(mel.compute(x).data.data());
  set_rate_counter(st, st.range(0));
}
BENCHMARK(BM_LogMel)->Arg(4)->Arg(60)->Unit(benchmark::kMillisecond);

torch::Tensor random_mel(int64_t batch, int64_t frames) { return torch::randn({batch, frames, 80}); }

// Args: batch, seconds per clip. The shipped encoder's size, random weights
// (the cost does not depend on the values).
void BM_SpeechEncoderForward(benchmark::State& st) {
  torch::NoGradGuard ng;
  SpeechEncoderConfig c;
  c.ctc_classes = 67;
  SpeechEncoder enc(c);
  enc->eval();
  int64_t b = st.range(0), frames = st.range(1) * 100;
  auto mel = random_mel(b, frames);
  auto len = torch::full({b}, frames, torch::kLong);
  for (auto _ : st) benchmark::DoNotOptimize(SpeechEncoderImpl::mean_pool(enc->forward(mel, len)).data_ptr());
  set_rate_counter(st, static_cast<double>(b * st.range(1)));
}
BENCHMARK(BM_SpeechEncoderForward)->Args({1, 4})->Args({16, 4})->Unit(benchmark::kMillisecond);

// Args: batch, seconds per clip.
void BM_SpectrogramCnnForward(benchmark::State& st) {
  torch::NoGradGuard ng;
  SpectrogramCnn cnn(24);
  cnn->eval();
  int64_t b = st.range(0), frames = st.range(1) * 100;
  auto mel = random_mel(b, frames);
  auto len = torch::full({b}, frames, torch::kLong);
  for (auto _ : st) benchmark::DoNotOptimize(cnn->forward(mel, len).data_ptr());
  set_rate_counter(st, static_cast<double>(b * st.range(1)));
}
BENCHMARK(BM_SpectrogramCnnForward)->Args({1, 4})->Args({16, 4})->Unit(benchmark::kMillisecond);

// One training step of the spectrogram branch (forward + backward), the
// cost that dominates `clasp train` when the branch is on. Args: batch, s.
void BM_SpectrogramCnnTrainStep(benchmark::State& st) {
  SpectrogramCnn cnn(24);
  cnn->train();
  int64_t b = st.range(0), frames = st.range(1) * 100;
  auto mel = random_mel(b, frames);
  auto len = torch::full({b}, frames, torch::kLong);
  for (auto _ : st) {
    cnn->zero_grad();
    cnn->forward(mel, len).pow(2).mean().backward();
  }
  set_rate_counter(st, static_cast<double>(b * st.range(1)));
}
BENCHMARK(BM_SpectrogramCnnTrainStep)->Args({16, 4})->Unit(benchmark::kMillisecond);

// The frame branch over the speech encoder's frames (25 per second; hidden
// 192 + 67 CTC posteriors in): forward, and one training step. Args: batch, s.
void BM_FrameBranchForward(benchmark::State& st) {
  torch::NoGradGuard ng;
  FrameBranch fb(192 + 67, 160);
  fb->eval();
  int64_t b = st.range(0), frames = st.range(1) * 25;
  auto x = torch::randn({b, frames, 192 + 67});
  auto len = torch::full({b}, frames, torch::kLong);
  for (auto _ : st) benchmark::DoNotOptimize(fb->forward(x, len).data_ptr());
  set_rate_counter(st, static_cast<double>(b * st.range(1)));
}
BENCHMARK(BM_FrameBranchForward)->Args({1, 4})->Args({16, 4})->Unit(benchmark::kMillisecond);

void BM_FrameBranchTrainStep(benchmark::State& st) {
  FrameBranch fb(192 + 67, 160);
  fb->train();
  int64_t b = st.range(0), frames = st.range(1) * 25;
  auto x = torch::randn({b, frames, 192 + 67});
  auto len = torch::full({b}, frames, torch::kLong);
  for (auto _ : st) {
    fb->zero_grad();
    fb->forward(x, len).pow(2).mean().backward();
  }
  set_rate_counter(st, static_cast<double>(b * st.range(1)));
}
BENCHMARK(BM_FrameBranchTrainStep)->Args({16, 4})->Unit(benchmark::kMillisecond);

// A HuBERT-base-size speech branch (95M parameters, random weights) on one
// clip, for comparison with the shipped encoder. Arg: seconds.
void BM_HubertBaseForward(benchmark::State& st) {
  auto m = HfSpeechModel::random(HfSpeechConfig{});
  auto x = test_signal(st.range(0));
  for (auto _ : st) benchmark::DoNotOptimize(m->mean_pooled(x).data());
  set_rate_counter(st, st.range(0));
}
BENCHMARK(BM_HubertBaseForward)->Arg(4)->Unit(benchmark::kMillisecond);

// The recognisers of the transcribe-then-retrieve baselines on the same
// spoken English (flite, about 10 s). A wav2vec2/HuBERT CTC model of base
// or large size (random weights: the cost does not depend on them) with
// greedy decoding over a LibriSpeech-style letter vocabulary, on torch's
// threads; PocketSphinx en-us, one decoder (the baseline runs one per core).
std::vector<float> spoken_english() {
  static std::vector<float> audio = [] {
    VoicePolicy p;
    p.engines = {"flite"};
    p.holdout_regex = "";
    VoiceAssigner as(p, 3);
    return synthesize_clip("the committee said the report was sent to the city council on monday, and the mayor "
                           "read it aloud to the people who had waited in the hall since the morning",
                           "en", as.choose("bench-asr", "en", "train"))
        .samples;
  }();
  return audio;
}

// 0 = base size (95M parameters), 1 = large (HuBERT-large / wav2vec2-large-lv60 layout, 315M).
HfSpeechConfig hf_size(int64_t large) {
  HfSpeechConfig c;
  if (large) {
    c.hidden_size = 1024;
    c.num_hidden_layers = 24;
    c.num_attention_heads = 16;
    c.intermediate_size = 4096;
    c.feat_extract_norm = "layer";
    c.conv_bias = true;
    c.do_stable_layer_norm = true;
  }
  return c;
}

// CLASP's frozen speech-branch feature from a Hugging Face model (mean-pooled
// last layer) for one clip of the synthetic corpus's mean length, 5.6 s.
// Arg: hf_size.
void BM_HfSpeechFeature(benchmark::State& st) {
  auto m = HfSpeechModel::random(hf_size(st.range(0)));
  auto x = test_signal(5.6);
  for (auto _ : st) benchmark::DoNotOptimize(m->mean_pooled(x).data());
  set_rate_counter(st, 5.6);
}
BENCHMARK(BM_HfSpeechFeature)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Arg: hf_size.
void BM_AsrCtcGreedy(benchmark::State& st) {
  auto m = HfSpeechModel::random(hf_size(st.range(0)));
  auto vocab = CtcVocabulary::from_dir(project_path("tests/fixtures/hf/wav2vec2-ctc-tiny"));
  auto x = spoken_english();
  for (auto _ : st) {
    int64_t frames = 0;
    auto logits = m->ctc_logits(m->preprocess(x), &frames);
    benchmark::DoNotOptimize(vocab.decode(CtcVocabulary::best_path(logits, static_cast<size_t>(frames), 32)));
  }
  set_rate_counter(st, static_cast<double>(x.size()) / kRate);
}
BENCHMARK(BM_AsrCtcGreedy)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_AsrPocketsphinx(benchmark::State& st) {
  PocketsphinxAsr asr;
  auto x = spoken_english();
  for (auto _ : st) benchmark::DoNotOptimize(asr.transcribe(x));
  set_rate_counter(st, static_cast<double>(x.size()) / kRate);
}
BENCHMARK(BM_AsrPocketsphinx)->Unit(benchmark::kMillisecond);

// A search query's machine translation (apertium processes, no cache: each
// iteration a new translator). Arg: 0 = es -> en (one pass), 1 = fr -> en,
// 2 = en -> it (two passes, through Spanish).
void BM_QueryTranslation(benchmark::State& st) {
  static const std::vector<std::tuple<std::string, std::string, std::string>> pairs = {
      {"Por favor, introduzca su número de extensión.", "es", "en"},
      {"Veuillez entrer votre numéro de poste.", "fr", "en"},
      {"Please enter your extension number.", "en", "it"}};
  const auto& [text, from, to] = pairs.at(static_cast<size_t>(st.range(0)));
  for (auto _ : st) {
    QueryTranslator t;
    benchmark::DoNotOptimize(t.translate(text, from, to));
  }
  st.SetLabel(from + "->" + to);
}
BENCHMARK(BM_QueryTranslation)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// Arg: 0 = concat, 1 = gating; both branches on, batch 128.
void BM_FusionForward(benchmark::State& st) {
  torch::NoGradGuard ng;
  FusionConfig c;
  c.kind = st.range(0) ? "gating" : "concat";
  c.speech_dim = 192;
  c.spectrogram_dim = 384;
  Fusion f(c);
  f->eval();
  auto s = torch::randn({128, 192}), p = torch::randn({128, 384});
  for (auto _ : st) benchmark::DoNotOptimize(f->forward(s, p, {}).data_ptr());
  st.SetItemsProcessed(128 * st.iterations());
}
BENCHMARK(BM_FusionForward)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The shipped text encoder, 64 sentences a call.
void BM_TextEncoderDefault(benchmark::State& st) {
  auto enc = SentenceEncoder::load(default_text_encoder_dir());
  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i)
    texts.push_back("the committee said the report was sent to the city council on monday number " +
                    std::to_string(i));
  for (auto _ : st) benchmark::DoNotOptimize(enc->embed(texts).data());
  st.SetItemsProcessed(64 * st.iterations());
}
BENCHMARK(BM_TextEncoderDefault)->Unit(benchmark::kMillisecond);

// The whole audio pipeline of the shipped model (log-mel, branches,
// fusion): 16 segments of 4 s.
void BM_AudioEmbedderDefault(benchmark::State& st) {
  AudioEmbedder emb(default_clasp_model_dir());
  std::vector<std::vector<float>> segs;
  for (unsigned i = 0; i < 16; ++i) segs.push_back(test_signal(4, i + 1));
  for (auto _ : st) benchmark::DoNotOptimize(emb.embed(segs).data());
  set_rate_counter(st, 16 * 4.0);
}
BENCHMARK(BM_AudioEmbedderDefault)->Unit(benchmark::kMillisecond);

// Args: stored vectors, 0 = exact / 1 = IVF (nprobe 16). 256-d, one query.
void BM_VectorSearch(benchmark::State& st) {
  const int dim = 256;
  size_t n = st.range(0);
  std::mt19937 rng(7);
  std::normal_distribution<float> g;
  std::vector<float> v(n * dim);
  for (auto& x : v) x = g(rng);
  for (size_t i = 0; i < n; ++i) {
    float s = 0;
    for (int d = 0; d < dim; ++d) s += v[i * dim + d] * v[i * dim + d];
    for (int d = 0; d < dim; ++d) v[i * dim + d] /= std::sqrt(s);
  }
  std::vector<int64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<int64_t>(i);
  auto ix = st.range(1) ? VectorIndex::ivf(dim, v.data(), std::min<size_t>(n, 50000)) : VectorIndex::exact(dim);
  ix.add(ids, v.data());
  size_t q = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(ix.search(v.data() + (q % n) * dim, 1, 10));
    q += 7919;
  }
}
BENCHMARK(BM_VectorSearch)->Args({10000, 0})->Args({100000, 0})->Args({100000, 1})->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  clasp::select_blas_kernel();
  clasp::log_to_stderr();
  clasp::tune_malloc_for_tensors();
  // The machine beside every figure: CPU, its SIMD features, the BLAS kernel.
  const auto m = clasp::machine_json(at::get_num_threads());
  for (const char* part : {"cpu", "blas"})
    for (const auto& [k, v] : m[part].items())
      benchmark::AddCustomContext(std::string(part) + "_" + k, v.is_string() ? v.get<std::string>() : v.dump());
  benchmark::AddCustomContext("torch_threads", std::to_string(at::get_num_threads()));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
