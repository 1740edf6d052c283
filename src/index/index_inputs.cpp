#include "index/index_inputs.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "data/manifest.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/text_clean.h"

namespace fs = std::filesystem;

namespace clasp {

bool has_audio_extension(const std::string& path) {
  static const std::set<std::string> ext = {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3",
                                            ".aif", ".aiff", ".au", ".caf", ".w64"};
  return ext.count(lower_ascii(fs::path(path).extension().string())) > 0;
}

std::vector<IndexInput> collect_index_inputs(const std::string& source, const std::string& default_lang) {
  std::error_code ec;
  fs::path p = fs::absolute(source, ec).lexically_normal();
  if (!fs::exists(p, ec)) throw Error(source + ": no such file or directory");
  std::vector<IndexInput> out;
  if (fs::is_directory(p, ec)) {
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) throw Error(source + ": cannot list " + it->path().string() + ": " + ec.message());
      if (it->is_regular_file(ec) && has_audio_extension(it->path().string()))
        out.push_back({it->path().lexically_normal().string(), default_lang, ""});
    }
    std::sort(out.begin(), out.end(), [](const IndexInput& a, const IndexInput& b) { return a.path < b.path; });
    return out;
  }
  if (p.extension() == ".jsonl") {
    fs::path root = p.parent_path();
    for (const auto& u : read_manifest(p.string())) {
      if (u.audio.empty()) throw Error(p.string() + ": utterance \"" + u.id + "\" has no \"audio\" field");
      out.push_back({(root / u.audio).lexically_normal().string(), u.lang.empty() ? default_lang : u.lang, u.text});
    }
    return out;
  }
  if (!has_audio_extension(p.string()))
    throw Error(source + ": not a directory, a .jsonl manifest or an audio file with a known extension");
  out.push_back({p.string(), default_lang, ""});
  return out;
}

Shard parse_shard(const std::string& spec) {
  auto bad = [&]() -> Error {
    return Error("--shard: expected I/N with 0 <= I < N (e.g. 0/4), got \"" + spec + "\"");
  };
  auto slash = spec.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == spec.size()) throw bad();
  auto digits = [](const std::string& t) {
    return !t.empty() && t.size() <= 6 && t.find_first_not_of("0123456789") == std::string::npos;
  };
  const std::string i = spec.substr(0, slash), n = spec.substr(slash + 1);
  if (!digits(i) || !digits(n)) throw bad();
  Shard s{std::stoul(i), std::stoul(n)};
  if (s.count == 0 || s.index >= s.count) throw bad();
  return s;
}

std::vector<IndexInput> shard_inputs(const std::vector<IndexInput>& inputs, const Shard& s) {
  std::vector<IndexInput> out;
  for (const auto& in : inputs)
    if (seeded_hash(0x5EED5A4D, in.path) % s.count == s.index) out.push_back(in);
  return out;
}

}  // namespace clasp
