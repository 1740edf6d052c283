#include <espeak-ng/speak_lib.h>

#include <cstring>
#include <mutex>
#include <vector>

#include "audio/resample.h"
#include "tts/engine.h"
#include "util/error.h"

namespace clasp {

namespace {
std::vector<short>* g_sink = nullptr;  // espeak's callback has no user pointer for buffers

int on_samples(short* wav, int n, espeak_EVENT*) {
  if (wav && n > 0 && g_sink) g_sink->insert(g_sink->end(), wav, wav + n);
  return 0;
}

class EspeakEngine : public TtsEngine {
 public:
  EspeakEngine() : rate_(espeak_ensure_initialized()) {}

  Audio synthesize(const std::string& text, const VoiceChoice& c) override {
    std::unique_lock lock(espeak_mutex());
    if (espeak_SetVoiceByName(c.voice.name.c_str()) != EE_OK)
      throw Error("espeak-ng: unknown voice \"" + c.voice.name + "\"");
    espeak_SetParameter(espeakRATE, static_cast<int>(175 * c.rate), 0);
    espeak_SetParameter(espeakPITCH, c.pitch, 0);
    std::vector<short> pcm;
    g_sink = &pcm;
    espeak_ERROR e = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                  espeakCHARS_UTF8, nullptr, nullptr);
    espeak_Synchronize();
    g_sink = nullptr;
    lock.unlock();
    if (e != EE_OK) throw Error("espeak-ng: synthesis failed (error " + std::to_string(e) + ")");
    std::vector<float> f(pcm.size());
    for (size_t i = 0; i < pcm.size(); ++i) f[i] = pcm[i] / 32768.0f;
    Audio a;
    a.samples = resample(f, rate_, kModelSampleRate);
    a.sample_rate = kModelSampleRate;
    return a;
  }

 private:
  int rate_;
};
}  // namespace

std::mutex& espeak_mutex() {
  static std::mutex m;
  return m;
}

int espeak_ensure_initialized() {
  static std::once_flag once;
  static int rate = 0;
  std::call_once(once, [] {
    rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 500, nullptr, espeakINITIALIZE_DONT_EXIT);
    if (rate <= 0) return;
    espeak_SetSynthCallback(on_samples);
  });
  if (rate <= 0) throw Error("espeak-ng: initialisation failed (is espeak-ng-data installed?)");
  return rate;
}

std::vector<std::string> espeak_variant_names() {
  espeak_ensure_initialized();
  espeak_VOICE spec;
  std::memset(&spec, 0, sizeof spec);
  spec.languages = "variant";  // what `espeak-ng --voices=variant` asks for
  std::vector<std::string> out;
  std::lock_guard lock(espeak_mutex());
  const std::string prefix = "!v/";  // identifiers are paths under espeak-ng's voices folder
  for (const espeak_VOICE** v = espeak_ListVoices(&spec); v && *v; ++v) {
    const std::string id = (*v)->identifier ? (*v)->identifier : "";
    if (id.compare(0, prefix.size(), prefix) == 0) out.push_back(id.substr(prefix.size()));
  }
  return out;
}

std::unique_ptr<TtsEngine> make_espeak_engine() { return std::make_unique<EspeakEngine>(); }

}  // namespace clasp
