#pragma once
// Recorded prompt sets (Debian's asterisk-core-sounds-XX + -XX-wav: one real
// speaker per language, the same prompt names across languages) -> manifest
// utterances, so real speech can be evaluated beside the synthetic corpus.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

// One "name: Text." line of a core-sounds-XX.txt transcript.
struct PromptEntry {
  std::string name;  // e.g. "vm-intro" or "digits/1"
  std::string text;  // as written (may be empty)
  int line = 0;
};

// Reads a transcript: ';' comments and blank lines skipped, a leading BOM
// ignored. Errors "path:LINE: ..." for a line that is not "name: text".
std::vector<PromptEntry> read_prompt_transcript(const std::string& path);

// The spoken words of a transcript text: "(stage notes)" dropped, "[@]"-style
// symbol glosses dropped, other [brackets] unwrapped. "" when the whole text
// is a description of a non-speech sound ("[ascending tones]", "(beep)").
std::string spoken_prompt_text(const std::string& text);
// Whitespace-separated tokens with a letter or digit in them.
int count_prompt_words(const std::string& text);

struct PromptSource {
  std::string lang;        // ISO 639-1
  std::string transcript;  // core-sounds-XX.txt (decompressed)
  std::string audio_dir;   // folder with <name>.wav, e.g. .../sounds/en_US_f_Allison
};

// Where fetch_real_speech.sh leaves a language under --root (data/real/pkgs).
// Errors name the missing path and the script that makes it.
PromptSource asterisk_source(const std::string& root, const std::string& lang);

struct PromptImportOptions {
  bool keep_short = false;  // keep prompts of fewer than 2 words
  uint64_t seed = 1;        // shuffles train/validation; the test split ignores it
  double validation = 0.2, test = 0.2;
};

struct PromptImportStats {
  size_t entries = 0, kept = 0;
  size_t short_text = 0;  // fewer than 2 words (skipped unless keep_short)
  size_t no_text = 0;     // empty transcript
  size_t non_speech = 0;  // tones, silence, sound effects
  size_t duplicate = 0;   // a name given twice: the first is kept
  size_t case_fixed = 0;  // audio found only by a case-insensitive match
  std::vector<std::string> missing_audio;  // names without a WAV file
};

// One language: utterances with id "asterisk.<lang>.<name, / -> .>", doc =
// name, audio relative to manifest_dir; split and source_id left empty.
std::vector<Utterance> import_prompt_language(const PromptSource& src, const std::string& manifest_dir,
                                              const PromptImportOptions& opt, PromptImportStats* stats);

// Every language, in order; non-English utterances get the English one of the
// same name as source_id. Splits by prompt, identical in every language;
// prompts whose texts coincide in some language share a split, so no test
// text is also heard in training. The test split depends on the prompts
// imported (packages and languages), never on opt.seed.
std::vector<Utterance> import_prompts(const std::vector<PromptSource>& sources, const std::string& manifest_path,
                                      const PromptImportOptions& opt,
                                      std::map<std::string, PromptImportStats>* stats);

}  // namespace clasp
