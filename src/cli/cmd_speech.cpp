#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "util/paths.h"
#include "data/manifest.h"
#include "train/ctc_pretrain.h"
#include "speech/mel_cache.h"
#include "speech/speech_branch.h"
#include "audio/audio_file.h"
#include "speech/audio_embedder.h"
#include <chrono>
#include <nlohmann/json.hpp>

namespace clasp::cli {

namespace {
struct CacheArgs {
  std::string manifest, cache;
  int threads = 2;
};
struct PerArgs {
  std::string model = "models/speech-default", manifest, cache, split = "test";
  size_t max_clips = 0;
};

std::string default_cache(const std::string& manifest) {
  return (std::filesystem::path(manifest).parent_path() / "mel-cache").string();
}
}  // namespace

void add_speech_commands(CLI::App& app) {
  auto* sp = app.add_subcommand("speech", "The speech encoder: log-mel cache, CTC pre-training, phoneme error rate");
  sp->require_subcommand(1);

  static CacheArgs c;
  auto* cache = sp->add_subcommand("cache", "Compute the log-mel cache of a synthesised corpus (resumable)");
  cache->add_option("-i,--in", c.manifest, "Corpus manifest")->required();
  cache->add_option("--cache", c.cache, "Cache directory (default: <corpus>/mel-cache)");
  cache->add_option("--threads", c.threads, "Worker threads")->capture_default_str();
  cache->callback([] {
    auto utts = read_manifest(c.manifest);
    std::string dir = c.cache.empty() ? default_cache(c.manifest) : c.cache;
    auto st = build_mel_cache(utts, std::filesystem::path(c.manifest).parent_path().string(), dir, c.threads);
    std::printf("%s: %zu clips added (%.2f h of audio), %zu already cached, %zu failed\n", dir.c_str(), st.added,
                st.audio_s / 3600, st.already, st.failed);
  });

  static CtcPretrainOptions p;
  auto* pre = sp->add_subcommand("pretrain", "Pre-train the speech encoder with CTC on phoneme transcripts");
  pre->add_option("-i,--in", p.manifest, "Synthesised corpus manifest (train split, training voices)")->required();
  pre->add_option("--cache", p.cache_dir, "Mel cache directory (default: <corpus>/mel-cache)");
  pre->add_option("-o,--out", p.out_dir, "Output model directory")->capture_default_str();
  pre->add_option("--work-dir", p.work_dir, "Checkpoints and metrics")->capture_default_str();
  pre->add_option("--steps", p.steps, "Training steps")->capture_default_str();
  pre->add_option("--batch", p.batch, "Clips per step")->capture_default_str();
  pre->add_option("--lr", p.lr, "Peak learning rate")->capture_default_str();
  pre->add_option("--warmup", p.warmup, "Warm-up steps")->capture_default_str();
  pre->add_option("--eval-every", p.eval_every, "Validate and checkpoint every N steps")->capture_default_str();
  pre->add_option("--hidden", p.hidden, "Hidden size")->capture_default_str();
  pre->add_option("--layers", p.layers, "Transformer layers")->capture_default_str();
  pre->add_option("--heads", p.heads, "Attention heads")->capture_default_str();
  pre->add_option("--ff", p.ff, "Feed-forward size")->capture_default_str();
  pre->add_option("--seed", p.seed, "Seed")->capture_default_str();
  pre->add_option("--init", p.init, "Start from this speech encoder directory's weights and phoneme inventory")->check(CLI::ExistingDirectory);
  auto* augment = pre->add_flag("--augment", p.augment, "Train on random views: tempo, vocal-tract warp, background noise");
  pre->add_flag("--channel-augment", p.channel_augment,
                "With --augment, the channel too: room reverberation, telephone band limit")
      ->needs(augment);  // alone it would change nothing, silently
  pre->add_option("--threads", p.threads, "Torch threads (1 when another job shares the cores)")->capture_default_str();
  pre->callback([] {
    if (p.cache_dir.empty()) p.cache_dir = default_cache(p.manifest);
    pretrain_speech_encoder(p);
  });

  static PerArgs e;
  auto* per = sp->add_subcommand("per", "Phoneme error rate of a speech encoder (greedy CTC decoding)");
  per->add_option("-m,--model", e.model, "Speech encoder directory")->capture_default_str();
  per->add_option("-i,--in", e.manifest, "Corpus manifest")->required();
  per->add_option("--cache", e.cache, "Mel cache directory (default: <corpus>/mel-cache)");
  per->add_option("--split", e.split, "Split to score (empty = all)")->capture_default_str();
  per->add_option("--max-clips", e.max_clips, "Score at most this many clips (0 = all)");
  per->callback([] {
    auto r = evaluate_per(resolve_project_relative(e.model), e.manifest, e.cache.empty() ? default_cache(e.manifest) : e.cache, e.split,
                          e.max_clips);
    std::printf("PER %.4f over %zu clips (%s split)\n", r.per, r.clips, e.split.c_str());
  });

  static std::string emb_model = "models/speech-default";
  static std::vector<std::string> emb_files;
  static int emb_threads = 2;
  auto* emb = sp->add_subcommand(
      "embed", "Mean-pooled last layer of a speech model for audio files, one JSON line each: the project's encoder "
               "or a Hugging Face HuBERT / wav2vec2 directory (config.json + model.safetensors)");
  emb->add_option("-m,--model", emb_model, "Speech model directory")->capture_default_str();
  emb->add_option("files", emb_files, "Audio files")->required();
  emb->add_option("--threads", emb_threads, "Torch threads")->capture_default_str()->check(CLI::Range(1, 256));
  emb->callback([] {
    set_compute_threads(emb_threads);
    auto branch = SpeechBranch::load(resolve_project_relative(emb_model));
    std::fprintf(stderr, "%s: %s, %zu parameters, %d-dim output\n", emb_model.c_str(), branch->kind().c_str(),
                 branch->parameter_count(), branch->dim());
    double audio_s = 0, wall_s = 0;
    for (const auto& f : emb_files) {
      auto a = read_audio(f);
      auto t0 = std::chrono::steady_clock::now();
      auto v = branch->embed(a.samples);
      wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      audio_s += a.duration();
      std::printf("%s\n", nlohmann::json({{"file", f}, {"model", branch->kind()}, {"embedding", v}}).dump().c_str());
    }
    std::fprintf(stderr, "%.1f s of audio in %.2f s of model time (%.0fx real time)\n", audio_s, wall_s,
                 wall_s > 0 ? audio_s / wall_s : 0.0);
  });
}

}  // namespace clasp::cli
