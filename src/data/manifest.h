#pragma once
// The JSONL manifest: one utterance per line. It is the hand-off format
// between every stage (corpus -> translate -> synth -> train -> eval).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace clasp {

struct Utterance {
  std::string id;        // unique, e.g. "ca01.0003" or "ca01.0003.es"
  std::string text;      // natural text, UTF-8
  std::string lang;      // ISO 639-1 code
  std::string category;  // Brown genre name, e.g. "news"
  std::string split;     // train | validation | test
  std::string doc;       // source document, e.g. "ca01"
  std::string source_id; // for translations: id of the English source
  int tokens = 0;        // Brown tokens in the source sentence
  // Filled by synthesis:
  std::string audio;     // path relative to the manifest's directory
  double duration = 0;   // seconds
  std::string voice;     // e.g. "espeak:en-us+m3"
  std::string engine;    // espeak | flite | festival
  std::string phonemes;  // espeak-ng IPA of the text
  std::string error;     // why a stage failed for this utterance ("" = ok)
};

// Bounds on one utterance (the longest line in the project's manifests is
// under 1.5 KB): a longer line or text is refused with its file and line.
constexpr size_t kMaxManifestLineBytes = 1 << 20;
constexpr size_t kMaxUtteranceTextBytes = 64 << 10;

// Reads a manifest; errors name the file, line number and field.
std::vector<Utterance> read_manifest(const std::string& path);
// train, validation or test: the splits a manifest may name.
bool is_split_name(const std::string& split);
// A --splits filter: throws an Error naming each unknown split.
void check_split_filter(const std::vector<std::string>& splits);
// Parses one line; `where` prefixes error messages ("file:line").
Utterance parse_utterance(const std::string& line, const std::string& where);
std::string utterance_to_json(const Utterance& u);
// Writes atomically (temporary file + rename).
void write_manifest(const std::string& path, const std::vector<Utterance>& utts);

}  // namespace clasp
