#pragma once
// What `clasp index add` was pointed at, as a list of audio files: a
// directory (searched recursively for audio extensions), a manifest (.jsonl,
// audio paths relative to it, with language and transcript), or one file.
#include <cstddef>
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

// Shards of a collection too large for one machine: "I/N" (0 <= I < N).
struct Shard {
  size_t index = 0, count = 1;
};
Shard parse_shard(const std::string& spec);  // Error naming the spec when malformed
// The inputs of shard s: a file's shard is a hash of its absolute path, so
// every machine given the same sources and N assigns each file to exactly one
// shard, whatever the order or the rest of the list.
std::vector<IndexInput> shard_inputs(const std::vector<IndexInput>& inputs, const Shard& s);

}  // namespace clasp
