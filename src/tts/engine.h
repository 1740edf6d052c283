#pragma once
// A text-to-speech engine: text + voice choice -> mono audio at 16 kHz.
// Engines hold process-global state (espeak-ng, festival), so each worker
// process owns its own instances.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audio/audio_file.h"
#include "tts/voice_catalog.h"

namespace clasp {

class TtsEngine {
 public:
  virtual ~TtsEngine() = default;
  // Throws clasp::Error on failure (unknown voice, engine error, silence).
  virtual Audio synthesize(const std::string& text, const VoiceChoice& choice) = 0;
};

std::unique_ptr<TtsEngine> make_espeak_engine();
std::unique_ptr<TtsEngine> make_flite_engine();
std::unique_ptr<TtsEngine> make_festival_engine();
std::unique_ptr<TtsEngine> make_engine(const std::string& name);

// espeak-ng is initialised once per process; both the engine and the
// phonemizer call this.
int espeak_ensure_initialized();
// espeak-ng keeps one voice and one set of buffers per process: every call
// into espeak-ng (synthesis, phonemes, voice lists) holds this, so its users
// on several threads (a server's queries) need no lock of their own for it.
// (The other engines and synth_job's engine table are single-threaded.)
std::mutex& espeak_mutex();
// The voice variants espeak-ng has (the part after "+" in "en-us+klatt3"),
// as its own voice list gives them.
std::vector<std::string> espeak_variant_names();

}  // namespace clasp
