#include "report/pipeline_speed.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "asr/speech_recognizer.h"
#include "audio/audio_file.h"
#include "eval/asr_baseline.h"
#include "speech/audio_embedder.h"
#include "text/sentence_encoder.h"
#include "speech/clasp_audio_model.h"

namespace clasp {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

nlohmann::json PipelineSpeed::to_json() const {
  return {{"clips", clips}, {"audio_s", audio_s}, {"wall_s", wall_s}, {"x_realtime", x_realtime()}};
}

PipelineSpeed measure_clasp_speed(const std::vector<std::string>& wavs, AudioEmbedder& emb, int threads) {
  set_compute_threads(threads);
  PipelineSpeed s;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::vector<float>> audio;
  for (const auto& w : wavs) {
    audio.push_back(read_audio(w).samples);
    s.audio_s += static_cast<double>(audio.back().size()) / kModelSampleRate;
  }
  emb.embed(audio);
  s.wall_s = seconds_since(t0);
  s.clips = wavs.size();
  return s;
}

PipelineSpeed measure_asr_speed(const std::vector<std::string>& wavs, SentenceEncoder& text, int threads,
                                const std::string& asr_model) {
  const auto asr = choose_recognizer(asr_model, threads);
  std::vector<std::shared_ptr<SpeechRecognizer>> decoders;  // loading is not part of the per-audio cost
  for (int t = 0; t < asr.workers; ++t) decoders.push_back(asr.make());
  std::vector<std::string> hyps(wavs.size());
  std::vector<double> seconds(wavs.size());
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mu;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < asr.workers; ++t)
    pool.emplace_back([&, t] {
      try {
        for (size_t i; (i = next++) < wavs.size();) {
          auto a = read_audio(wavs[i]);
          seconds[i] = a.duration();
          hyps[i] = decoders[static_cast<size_t>(t)]->transcribe(a.samples);
        }
      } catch (...) {
        std::lock_guard<std::mutex> l(failure_mu);
        failure = std::current_exception();
        next = wavs.size();
      }
    });
  for (auto& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
  text.embed(hyps);
  PipelineSpeed s;
  s.wall_s = seconds_since(t0);
  s.clips = wavs.size();
  for (double x : seconds) s.audio_s += x;
  return s;
}

}  // namespace clasp
