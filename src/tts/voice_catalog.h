#pragma once
// Every voice the project can synthesise with, across engines, and the
// seeded choice of a voice (and its rate/pitch) for each utterance.
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

namespace clasp {

struct Voice {
  std::string id;      // "<engine>:<name>", e.g. "espeak:en-us+m3", "flite:slt"
  std::string engine;  // espeak | flite | festival
  std::string lang;    // ISO 639-1
  std::string name;    // engine-specific voice name
};

// Voice prosody drawn per clip: rate is a speed factor (1 = engine default),
// pitch a 0..100 espeak pitch (ignored by engines without a pitch control).
struct VoiceChoice {
  Voice voice;
  double rate = 1.0;
  int pitch = 50;
};

// All voices of the given engines (empty = all) for all languages. Each
// espeak-ng base voice comes in every variant of `espeak_variants` (empty =
// the plain human-sounding m1-m7, f1-f5); a variant must be one
// espeak-ng lists (espeak_variant_names in tts/engine.h).
std::vector<Voice> voice_catalog(const std::vector<std::string>& engines = {},
                                 const std::vector<std::string>& espeak_variants = {});

// Languages that have at least one voice.
std::vector<std::string> synth_languages();

struct VoicePolicy {
  std::vector<std::string> engines;  // allowed engines (empty = all)
  std::vector<std::string> espeak_variants;  // empty = m1-m7, f1-f5 (voice_catalog)
  // Voices matching this regex are held out: used only for the test split;
  // train and validation use the others. Empty = no hold-out.
  std::string holdout_regex = "^festival:|\\+(f4|m7)$";
  double rate_min = 0.85, rate_max = 1.2;
  int pitch_min = 35, pitch_max = 70;
};

class VoiceAssigner {
 public:
  VoiceAssigner(const VoicePolicy& policy, uint64_t seed);
  // Deterministic for (seed, utterance id). Throws clasp::Error naming the
  // language when no voice can speak it under the policy.
  VoiceChoice choose(const std::string& utt_id, const std::string& lang, const std::string& split) const;
  bool is_held_out(const std::string& voice_id) const;

 private:
  std::vector<Voice> pool(const std::string& lang, bool held_out) const;
  VoicePolicy policy_;
  uint64_t seed_;
  std::vector<Voice> voices_;
  std::regex holdout_;
  bool has_holdout_;
};

}  // namespace clasp
