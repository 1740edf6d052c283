#pragma once
// What `clasp index add` was pointed at, as a list of audio files: a
// directory (searched recursively for audio extensions), a manifest (.jsonl,
// audio paths relative to it, with language and transcript), or one file.
#include <string>
#include <vector>

namespace clasp {

struct IndexInput {
  std::string path;  // absolute, normalised
  std::string lang;  // "" = unknown
  std::string text;  // known transcript of the whole file ("" = none)
};

std::vector<IndexInput> collect_index_inputs(const std::string& source, const std::string& default_lang = "");
bool has_audio_extension(const std::string& path);

}  // namespace clasp
