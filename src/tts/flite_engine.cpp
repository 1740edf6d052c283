extern "C" {
#include <flite/flite.h>
cst_voice* register_cmu_us_slt(const char* voxdir);
cst_voice* register_cmu_us_rms(const char* voxdir);
cst_voice* register_cmu_us_awb(const char* voxdir);
cst_voice* register_cmu_us_kal16(const char* voxdir);
}

#include <map>

#include "audio/resample.h"
#include "tts/engine.h"
#include "util/error.h"

namespace clasp {

namespace {
class FliteEngine : public TtsEngine {
 public:
  FliteEngine() { flite_init(); }

  Audio synthesize(const std::string& text, const VoiceChoice& c) override {
    cst_voice* v = voice(c.voice.name);
    // duration_stretch > 1 is slower speech; our rate is a speed factor.
    feat_set_float(v->features, "duration_stretch", static_cast<float>(1.0 / c.rate));
    cst_wave* w = flite_text_to_wave(text.c_str(), v);
    if (!w) throw Error("flite: synthesis failed for voice " + c.voice.name);
    std::vector<float> f(static_cast<size_t>(w->num_samples));
    for (size_t i = 0; i < f.size(); ++i) f[i] = w->samples[i] / 32768.0f;
    int rate = w->sample_rate;
    delete_wave(w);
    Audio a;
    a.samples = resample(f, rate, kModelSampleRate);
    a.sample_rate = kModelSampleRate;
    return a;
  }

 private:
  cst_voice* voice(const std::string& name) {
    auto it = voices_.find(name);
    if (it != voices_.end()) return it->second;
    cst_voice* v = nullptr;
    if (name == "slt") v = register_cmu_us_slt(nullptr);
    else if (name == "rms") v = register_cmu_us_rms(nullptr);
    else if (name == "awb") v = register_cmu_us_awb(nullptr);
    else if (name == "kal16") v = register_cmu_us_kal16(nullptr);
    if (!v) throw Error("flite: unknown voice \"" + name + "\" (expected slt, rms, awb or kal16)");
    voices_[name] = v;
    return v;
  }
  std::map<std::string, cst_voice*> voices_;
};
}  // namespace

std::unique_ptr<TtsEngine> make_flite_engine() { return std::make_unique<FliteEngine>(); }

}  // namespace clasp
