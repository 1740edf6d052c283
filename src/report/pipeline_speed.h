#pragma once
// Speed of the two retrieval pipelines on the same audio files and cores,
// for `clasp report`: CLASP (decode, resample, log-mel, branches, fusion)
// and transcribe-then-retrieve (decode, a recogniser, text encoder on the
// transcript). No torch types in this header.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace clasp {

class AudioEmbedder;
class SentenceEncoder;

struct PipelineSpeed {
  size_t clips = 0;
  double audio_s = 0, wall_s = 0;
  double x_realtime() const { return wall_s > 0 ? audio_s / wall_s : 0; }
  nlohmann::json to_json() const;
};

// A loaded model's audio side on torch threads = `threads` (loading is not
// part of the per-audio cost).
PipelineSpeed measure_clasp_speed(const std::vector<std::string>& wavs, AudioEmbedder& model, int threads);
// The recogniser of choose_recognizer(asr_model, threads) ("" = `threads` PocketSphinx decoders in parallel),
// then the text encoder `text` (loaded by the caller: loading is not part of
// the per-audio cost).
PipelineSpeed measure_asr_speed(const std::vector<std::string>& wavs, SentenceEncoder& text, int threads,
                                const std::string& asr_model = "");

}  // namespace clasp
