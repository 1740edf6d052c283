#pragma once
// `clasp data synth`: a manifest in, 16 kHz mono WAV clips and a manifest
// with audio path, duration, voice and phonemes out.
//
// Work is spread over worker processes (espeak-ng and festival keep global
// state, so processes rather than threads). Each finished clip is written
// under a temporary name, renamed into place, and only then recorded in the
// worker's append-only log, so a kill at any moment loses at most the clips
// in flight; re-running skips every recorded clip whose file exists.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/manifest.h"
#include "tts/voice_catalog.h"

namespace clasp {

struct SynthOptions {
  std::string manifest;       // input JSONL
  std::string out_dir;        // audio/, log/, manifest.jsonl, failures.jsonl
  int workers = 2;
  uint64_t seed = 1;
  VoicePolicy policy;
  int voices_per_utt = 1;
  // Appended to every clip id (before ".vN"), so a second rendering of the
  // same sentences can share a corpus's mel cache, which is keyed by id.
  std::string id_suffix;
  std::vector<std::string> langs;  // empty = all languages in the manifest
  std::vector<std::string> splits; // empty = every split
  bool show_progress = true;
};

struct SynthSummary {
  size_t clips = 0;           // clips the run was asked for
  size_t already_done = 0;    // found finished from an earlier run
  size_t synthesized = 0;     // made by this run
  size_t failed = 0;
  double audio_seconds = 0;   // all finished clips
  double new_audio_seconds = 0;
  double wall_seconds = 0;
  std::map<std::string, size_t> per_voice, per_engine, per_lang;
  std::map<std::string, size_t> failures_by_reason;
  std::string manifest_out, failures_out;
};

SynthSummary run_synth(const SynthOptions& opt);

// Synthesises one clip in-process (used by the workers, tests and bench).
struct ClipResult {
  std::vector<float> samples;  // 16 kHz mono
  std::string phonemes;
};
ClipResult synthesize_clip(const std::string& text, const std::string& lang, const VoiceChoice& v);

}  // namespace clasp
