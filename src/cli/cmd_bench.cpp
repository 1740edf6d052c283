#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "audio/audio_file.h"
#include "audio/mel.h"
#include "cli/commands.h"
#include "cli/torch_gemm_check.h"
#include "data/manifest.h"
#include "text/sentence_encoder.h"
#include "bench/text_bench.h"
#include "tts/synth_job.h"
#include "tts/voice_catalog.h"
#include "util/blas_kernel.h"
#include "util/error.h"
#include "util/fs.h"

namespace clasp::cli {

namespace {
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

const char* kSentences[] = {
    "The jury further said in term-end presentments that the City Executive Committee deserves praise.",
    "Only a relative handful of such reports was received, the jury said.",
    "It urged that the city take steps to remedy this problem.",
    "The petition listed the mayor's occupation as attorney and his age as seventy-one.",
    "Nevertheless, we feel that in the future Fulton County should receive some portion of these funds."};

struct BenchArgs {
  double mel_seconds = 600;
  int synth_clips = 10;
  std::string json_out;
  bool skip_synth = false;
  int text_sentences = 512;
  bool text_base = true;
  bool blas_only = false;
};

// Real Brown sentences when the corpus is built, else the five above.
std::vector<std::string> bench_sentences(size_t n) {
  std::vector<std::string> out;
  if (std::filesystem::exists("data/brown.jsonl"))
    for (const auto& u : read_manifest("data/brown.jsonl")) {
      if (out.size() >= n) break;
      out.push_back(u.text);
    }
  for (size_t i = 0; out.size() < n; ++i) out.push_back(kSentences[i % 5]);
  return out;
}

nlohmann::json bench_text(const std::string& which, const std::vector<std::string>& sentences) {
  auto r = bench_text_encoder(which, sentences, 64);
  std::printf("text %-26s %zu sentences in %.2f s -> %.0f sentences/s (%.1fM parameters, batch 64)\n",
              r.name.c_str(), r.sentences, r.wall_s, r.per_s, r.parameters / 1e6);
  return {{"encoder", r.name}, {"parameters", r.parameters}, {"sentences", r.sentences}, {"wall_s", r.wall_s},
          {"sentences_per_s", r.per_s}};
}

nlohmann::json bench_mel(double seconds) {
  std::vector<float> x(static_cast<size_t>(seconds * kModelSampleRate));
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.3f * std::sin(2 * M_PI * 440.0 * i / kModelSampleRate);
  MelExtractor ex;
  ex.compute(std::vector<float>(x.begin(), x.begin() + kModelSampleRate));  // warm-up
  double t = now_s();
  MelSpectrogram m = ex.compute(x);
  double el = now_s() - t;
  std::printf("log-mel:   %.0f s of audio in %.3f s -> %.0fx real time (1 thread, %d frames)\n", seconds,
              el, seconds / el, m.frames);
  return {{"audio_s", seconds}, {"wall_s", el}, {"x_realtime", seconds / el}};
}

nlohmann::json bench_synth(const std::string& engine, int clips) {
  VoicePolicy p;
  p.engines = {engine};
  p.holdout_regex = "";
  VoiceAssigner as(p, 7);
  double audio = 0;
  synthesize_clip("warm up", "en", as.choose("warm", "en", "train"));
  double t = now_s();
  for (int i = 0; i < clips; ++i) {
    auto v = as.choose("bench" + std::to_string(i), "en", "train");
    auto r = synthesize_clip(kSentences[i % 5], "en", v);
    audio += static_cast<double>(r.samples.size()) / kModelSampleRate;
  }
  double el = now_s() - t;
  std::printf("synth %-9s %d clips, %.1f s audio in %.2f s -> %.1f audio s per wall s (1 process)\n",
              engine.c_str(), clips, audio, el, audio / el);
  return {{"clips", clips}, {"audio_s", audio}, {"wall_s", el}, {"x_realtime", audio / el}};
}
}  // namespace

void add_bench_command(CLI::App& app) {
  static BenchArgs a;
  auto* b = app.add_subcommand("bench", "Throughput of log-mel, speech synthesis and libtorch BLAS");
  b->add_option("--mel-seconds", a.mel_seconds, "Audio length for the log-mel benchmark")->capture_default_str();
  b->add_option("--synth-clips", a.synth_clips, "Clips per engine for the synthesis benchmark")->capture_default_str();
  b->add_flag("--skip-synth", a.skip_synth, "Only log-mel, BLAS and text");
  b->add_flag("--blas-only", a.blas_only, "Only the machine (CPU, BLAS kernel) and the matmul check");
  b->add_option("--text-sentences", a.text_sentences, "Sentences for the text-encoder benchmark (0 = skip)")
      ->capture_default_str();
  b->add_flag("!--no-text-base", a.text_base, "Skip the base-size (12-layer, 768-d) text encoder");
  b->add_option("--json", a.json_out, "Also write the results as JSON");
  b->callback([] {
    nlohmann::json out;
    auto g = torch_gemm_gflops();
    std::printf("machine:   %s\n", machine_summary(g.threads).c_str());
    if (auto w = blas_kernel_warning(); !w.empty()) std::printf("           %s\n", w.c_str());
    std::printf("libtorch:  %dx%d matmul %.1f GFLOP/s on %d threads%s\n", g.n, g.n, g.gflops, g.threads,
                g.gflops < 15 ? "  WARNING: slow BLAS, run scripts/setup.sh" : "");
    out["machine"] = machine_json(g.threads);
    out["torch_gemm_gflops"] = g.gflops;
    if (!a.blas_only) out["mel"] = bench_mel(a.mel_seconds);
    if (a.text_sentences > 0 && !a.blas_only) {
      auto sents = bench_sentences(static_cast<size_t>(a.text_sentences));
      out["text"]["default"] = bench_text(default_text_encoder_dir(), sents);
      if (a.text_base) out["text"]["base"] = bench_text("base", sents);
    }
    if (!a.skip_synth && !a.blas_only)
      for (const char* e : {"espeak", "flite", "festival"}) out["synth"][e] = bench_synth(e, a.synth_clips);
    if (!a.json_out.empty()) {
      write_file_atomic(a.json_out, out.dump(2) + "\n");
      std::printf("wrote %s\n", a.json_out.c_str());
    }
  });
}

}  // namespace clasp::cli
