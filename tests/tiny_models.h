#pragma once
// Model configs small enough to build in milliseconds, for the speech and
// training tests.
#include <string>
#include <utility>
#include <vector>

#include "speech/clasp_audio_model.h"
#include "speech/speech_encoder.h"

namespace clasp::test {

// A speech encoder: hidden 16, one layer, a CTC head over `phonemes` + blank.
inline SpeechEncoderConfig tiny_encoder(std::vector<std::string> phonemes) {
  SpeechEncoderConfig sc;
  sc.hidden = 16, sc.layers = 1, sc.heads = 2, sc.ff = 32;
  sc.ctc_classes = static_cast<int64_t>(phonemes.size()) + 1;
  sc.phonemes = std::move(phonemes);
  return sc;
}

// A CLASP model config with the speech and frame branches, sized for tiny_encoder.
inline ClaspModelConfig tiny_frame_model() {
  ClaspModelConfig mc;
  mc.use_spectrogram = false;
  mc.use_frames = true;
  mc.frame_width = 16;
  mc.out_dim = 8;
  return mc;
}

}  // namespace clasp::test
