#include "tts/phonemizer.h"

#include <espeak-ng/speak_lib.h>

#include "tts/engine.h"
#include "util/error.h"

namespace clasp {

namespace {
const char* espeak_language(const std::string& lang) {
  if (lang == "en") return "en-us";
  return nullptr;
}
}  // namespace

std::string phonemize_ipa(const std::string& text, const std::string& lang) {
  espeak_ensure_initialized();
  const char* name = espeak_language(lang);
  std::string voice = name ? name : lang;
  std::lock_guard lock(espeak_mutex());
  if (espeak_SetVoiceByName(voice.c_str()) != EE_OK)
    throw Error("phonemizer: espeak-ng has no voice for language \"" + lang + "\"");
  std::string out;
  const void* ptr = text.c_str();
  constexpr int kIpa = 0x02;
  while (ptr) {
    const char* ph = espeak_TextToPhonemes(&ptr, espeakCHARS_UTF8, kIpa);
    if (!ph) break;
    std::string p(ph);
    if (p.empty()) continue;
    if (!out.empty()) out += ' ';
    out += p;
  }
  return out;
}

}  // namespace clasp
