// Festival through its text2wave script: festival has no stable C++ API in
// Debian, and a subprocess also isolates its global Scheme state.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "audio/audio_file.h"
#include "tts/engine.h"
#include "util/error.h"
#include "util/subprocess.h"
#include "util/utf8.h"

namespace clasp {

namespace {
class FestivalEngine : public TtsEngine {
 public:
  FestivalEngine() {
    if (!program_exists("text2wave"))
      throw Error("festival: text2wave not found (run scripts/setup.sh to install festival)");
  }

  Audio synthesize(const std::string& text, const VoiceChoice& c) override {
    for (char ch : c.voice.name)
      if (!isalnum(static_cast<unsigned char>(ch)) && ch != '_')
        throw Error("festival: invalid voice name \"" + c.voice.name + "\"");
    auto tmp = std::filesystem::temp_directory_path() /
               ("clasp-festival-" + std::to_string(::getpid()) + ".wav");
    char stretch[64];
    std::snprintf(stretch, sizeof stretch, "(Parameter.set 'Duration_Stretch %.3f)", 1.0 / c.rate);
    // Festival reads Latin-1, not UTF-8.
    ProcessResult r = run_process({"text2wave", "-o", tmp.string(), "-eval",
                                   "(voice_" + c.voice.name + ")", "-eval", stretch},
                                  utf8_to_latin1(text) + "\n", 120);
    if (r.timed_out) throw Error("festival: text2wave timed out");
    if (r.exit_code != 0 || !std::filesystem::exists(tmp))
      throw Error("festival: text2wave failed (exit " + std::to_string(r.exit_code) + "): " +
                  r.err.substr(0, 200));
    Audio a;
    try {
      a = read_audio(tmp.string());
    } catch (...) {
      std::filesystem::remove(tmp);
      throw;
    }
    std::filesystem::remove(tmp);
    return a;
  }
};
}  // namespace

std::unique_ptr<TtsEngine> make_festival_engine() { return std::make_unique<FestivalEngine>(); }

std::unique_ptr<TtsEngine> make_engine(const std::string& name) {
  if (name == "espeak") return make_espeak_engine();
  if (name == "flite") return make_flite_engine();
  if (name == "festival") return make_festival_engine();
  throw Error("unknown TTS engine \"" + name + "\"");
}

}  // namespace clasp
