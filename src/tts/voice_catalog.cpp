#include "tts/voice_catalog.h"

#include <algorithm>
#include <map>
#include <set>

#include "tts/engine.h"
#include "util/error.h"
#include "util/hash.h"

namespace clasp {

namespace {
// espeak-ng base voices per language, each combined with the variants below.
const std::map<std::string, std::vector<std::string>>& espeak_bases() {
  static const std::map<std::string, std::vector<std::string>> b = {
      // Names are espeak-ng voice file names ("en" is British English).
      {"en", {"en-us", "en", "en-gb-scotland", "en-029", "en-gb-x-rp"}},
      {"es", {"es", "es-419"}},
      {"ca", {"ca"}},
      {"fr", {"fr", "fr-be"}},
      {"pt", {"pt", "pt-br"}},
      {"it", {"it"}},
      {"eo", {"eo"}},
      {"de", {"de"}},
      {"nl", {"nl"}}};
  return b;
}
// Plain human-sounding variants (no robots, whispers or croaks).
const std::vector<std::string>& espeak_variants() {
  static const std::vector<std::string> v = {"m1", "m2", "m3", "m4", "m5", "m6", "m7",
                                             "f1", "f2", "f3", "f4", "f5"};
  return v;
}
bool allowed(const std::vector<std::string>& engines, const std::string& e) {
  return engines.empty() || std::find(engines.begin(), engines.end(), e) != engines.end();
}

// espeak-ng falls back to its default voice for a variant it does not
// know, silently, so names are checked against its own list of variants.
void check_espeak_variants(const std::vector<std::string>& wanted) {
  if (wanted.empty()) return;
  const auto known = espeak_variant_names();
  for (const auto& var : wanted)
    if (std::find(known.begin(), known.end(), var) == known.end())
      throw Error("--espeak-variants: \"" + var + "\" is not an espeak-ng voice variant (" +
                  std::to_string(known.size()) + " are installed; see `espeak-ng --voices=variant`)");
}
}  // namespace

std::vector<Voice> voice_catalog(const std::vector<std::string>& engines, const std::vector<std::string>& variants) {
  for (const auto& e : engines)
    if (e != "espeak" && e != "flite" && e != "festival")
      throw Error("--engines: unknown engine \"" + e + "\" (expected espeak, flite or festival)");
  check_espeak_variants(variants);
  const auto& espeak_vars = variants.empty() ? espeak_variants() : variants;
  std::vector<Voice> v;
  if (allowed(engines, "espeak"))
    for (const auto& [lang, bases] : espeak_bases())
      for (const auto& base : bases)
        for (const auto& var : espeak_vars)
          v.push_back({"espeak:" + base + "+" + var, "espeak", lang, base + "+" + var});
  if (allowed(engines, "flite"))
    for (const char* n : {"slt", "rms", "awb", "kal16"})
      v.push_back({std::string("flite:") + n, "flite", "en", n});
  if (allowed(engines, "festival")) {
    for (const char* n : {"kal_diphone", "ked_diphone"})
      v.push_back({std::string("festival:") + n, "festival", "en", n});
    for (const char* n : {"lp_diphone", "pc_diphone"})
      v.push_back({std::string("festival:") + n, "festival", "it", n});
  }
  return v;
}

std::vector<std::string> synth_languages() {
  std::set<std::string> s;
  for (const auto& v : voice_catalog()) s.insert(v.lang);
  return {s.begin(), s.end()};
}

VoiceAssigner::VoiceAssigner(const VoicePolicy& policy, uint64_t seed)
    : policy_(policy), seed_(seed), voices_(voice_catalog(policy.engines, policy.espeak_variants)),
      has_holdout_(!policy.holdout_regex.empty()) {
  try {
    if (has_holdout_) holdout_ = std::regex(policy.holdout_regex);
  } catch (const std::regex_error& e) {
    throw Error("--holdout-voices: invalid regular expression \"" + policy.holdout_regex + "\": " + e.what());
  }
  if (policy.rate_min <= 0 || policy.rate_max < policy.rate_min)
    throw Error("voice policy: need 0 < rate_min <= rate_max");
}

bool VoiceAssigner::is_held_out(const std::string& voice_id) const {
  return has_holdout_ && std::regex_search(voice_id, holdout_);
}

std::vector<Voice> VoiceAssigner::pool(const std::string& lang, bool held_out) const {
  std::vector<Voice> p;
  for (const auto& v : voices_)
    if (v.lang == lang && is_held_out(v.id) == held_out) p.push_back(v);
  return p;
}

VoiceChoice VoiceAssigner::choose(const std::string& utt_id, const std::string& lang,
                                  const std::string& split) const {
  bool test = split == "test";
  auto p = pool(lang, has_holdout_ && test);
  if (p.empty()) {
    std::string what = has_holdout_ ? (test ? "held-out " : "training ") : "";
    throw Error("no " + what + "voice for language \"" + lang + "\" with the selected engines " +
                "(languages with voices: espeak-ng covers en es ca fr pt it eo de nl; flite: en; "
                "festival: en it)");
  }
  // Weight engines equally: first pick an engine, then a voice within it,
  // so a few flite voices are not drowned by a hundred espeak variants.
  std::vector<std::string> engines;
  for (const auto& v : p)
    if (std::find(engines.begin(), engines.end(), v.engine) == engines.end()) engines.push_back(v.engine);
  uint64_t h = seeded_hash(seed_, utt_id);
  const std::string& engine = engines[splitmix64(h) % engines.size()];
  std::vector<const Voice*> in_engine;
  for (const auto& v : p)
    if (v.engine == engine) in_engine.push_back(&v);
  VoiceChoice c;
  c.voice = *in_engine[splitmix64(h ^ 0x1234) % in_engine.size()];
  c.rate = policy_.rate_min + (policy_.rate_max - policy_.rate_min) * unit_from_hash(splitmix64(h ^ 0x5678));
  c.pitch = policy_.pitch_min +
            static_cast<int>((policy_.pitch_max - policy_.pitch_min + 1) * unit_from_hash(splitmix64(h ^ 0x9abc)));
  return c;
}

}  // namespace clasp
