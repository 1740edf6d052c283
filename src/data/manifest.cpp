#include "data/manifest.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/error.h"
#include "util/fs.h"
#include "util/utf8.h"

namespace clasp {

using nlohmann::json;

namespace {
template <typename T>
void get_opt(const json& j, const char* key, T* out, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    *out = it->get<T>();
  } catch (const json::exception&) {
    throw Error(where + ": field \"" + key + "\" has the wrong type (" + it->type_name() + ")");
  }
}
}  // namespace

Utterance parse_utterance(const std::string& line, const std::string& where) {
  // An utterance is a sentence or a paragraph: a line far beyond that is a
  // damaged or hostile manifest, refused before it costs gigabytes downstream
  // (a 50 MB text once drove `clasp eval` to 12 GB).
  if (line.size() > kMaxManifestLineBytes)
    throw Error(where + ": a line of " + std::to_string(line.size()) + " bytes; an utterance's line may hold at most " +
                std::to_string(kMaxManifestLineBytes) + " (is this a manifest, one JSON object per line?)");
  require_utf8(line, where);
  json j;
  try {
    j = json::parse(line);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number such as 1e999
    throw Error(where + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw Error(where + ": expected a JSON object per line");
  Utterance u;
  for (const char* req : {"id", "text", "lang"})
    if (!j.contains(req) || !j[req].is_string() || j[req].get<std::string>().empty())
      throw Error(where + ": missing required string field \"" + req + "\"");
  get_opt(j, "id", &u.id, where);
  get_opt(j, "text", &u.text, where);
  get_opt(j, "lang", &u.lang, where);
  get_opt(j, "category", &u.category, where);
  get_opt(j, "split", &u.split, where);
  get_opt(j, "doc", &u.doc, where);
  get_opt(j, "source_id", &u.source_id, where);
  // A count: a whole number that fits an int (converting 1e300 to int would be undefined behaviour).
  if (auto it = j.find("tokens"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || *it < 0 || *it > std::numeric_limits<int>::max())
      throw Error(where + ": field \"tokens\" must be a whole number from 0 to " +
                  std::to_string(std::numeric_limits<int>::max()) + ", got " +
                  (it->is_number() ? it->dump() : std::string(it->type_name())));
    u.tokens = it->get<int>();
  }
  get_opt(j, "audio", &u.audio, where);
  get_opt(j, "duration", &u.duration, where);
  get_opt(j, "voice", &u.voice, where);
  get_opt(j, "engine", &u.engine, where);
  get_opt(j, "phonemes", &u.phonemes, where);
  get_opt(j, "error", &u.error, where);
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"text", &u.text}, {"phonemes", &u.phonemes}})
    if (value->size() > kMaxUtteranceTextBytes)
      throw Error(where + ": field \"" + name + "\" holds " + std::to_string(value->size()) + " bytes, more than " +
                  std::to_string(kMaxUtteranceTextBytes) + " (one sentence or paragraph per utterance)");
  if (!u.split.empty() && !is_split_name(u.split))
    throw Error(where + ": field \"split\" must be train, validation or test, got \"" + u.split + "\"");
  return u;
}

std::vector<Utterance> read_manifest(const std::string& path) {
  std::string data = read_file(path);
  std::vector<Utterance> out;
  std::istringstream in(data);
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    out.push_back(parse_utterance(line, path + ":" + std::to_string(lineno)));
  }
  return out;
}

std::string utterance_to_json(const Utterance& u) {
  json j = {{"id", u.id}, {"text", u.text}, {"lang", u.lang}};
  auto put = [&](const char* k, const std::string& v) { if (!v.empty()) j[k] = v; };
  put("category", u.category);
  put("split", u.split);
  put("doc", u.doc);
  put("source_id", u.source_id);
  if (u.tokens) j["tokens"] = u.tokens;
  put("audio", u.audio);
  if (u.duration > 0) j["duration"] = u.duration;
  put("voice", u.voice);
  put("engine", u.engine);
  put("phonemes", u.phonemes);
  put("error", u.error);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void write_manifest(const std::string& path, const std::vector<Utterance>& utts) {
  std::string data;
  for (const auto& u : utts) {
    data += utterance_to_json(u);
    data += '\n';
  }
  write_file_atomic(path, data);
}

bool is_split_name(const std::string& split) {
  return split == "train" || split == "validation" || split == "test";
}

void check_split_filter(const std::vector<std::string>& splits) {
  for (const auto& sp : splits)
    if (!is_split_name(sp)) throw Error("--splits: expected train, validation or test, got \"" + sp + "\"");
}

}  // namespace clasp
