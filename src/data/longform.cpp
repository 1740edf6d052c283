#include "data/longform.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audio/audio_file.h"
#include "audio/wav_writer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"

namespace fs = std::filesystem;

namespace clasp {

std::vector<LongformPiece> build_longform(const std::string& manifest, const std::string& out_dir,
                                          const LongformOptions& opt) {
  if (opt.minutes <= 0 || opt.recordings < 1) throw Error("longform: minutes and recordings must be positive");
  if (opt.min_pause < 0 || opt.max_pause < opt.min_pause) throw Error("longform: need 0 <= min_pause <= max_pause");
  auto utts = read_manifest(manifest);
  std::vector<Utterance> pool;
  for (const auto& u : utts) {
    if (u.split != opt.split || u.audio.empty()) continue;
    if (!opt.langs.empty() && std::find(opt.langs.begin(), opt.langs.end(), u.lang) == opt.langs.end()) continue;
    pool.push_back(u);
  }
  if (pool.empty()) throw Error(manifest + ": no clips of split \"" + opt.split + "\" in the requested languages");
  // A seeded shuffle, so every machine builds the same recordings.
  std::sort(pool.begin(), pool.end(), [&](const Utterance& a, const Utterance& b) {
    return seeded_hash(opt.seed, a.id) < seeded_hash(opt.seed, b.id);
  });
  fs::create_directories(out_dir);
  const fs::path root = fs::path(manifest).parent_path();
  const int sr = kModelSampleRate;
  std::vector<LongformPiece> truth;
  size_t next = 0;
  for (int r = 0; r < opt.recordings; ++r) {
    char name[32];
    std::snprintf(name, sizeof name, "rec-%03d.wav", r);
    std::vector<float> audio;
    const double target = opt.minutes * 60;
    while (static_cast<double>(audio.size()) / sr < target && next < pool.size()) {
      const auto& u = pool[next++];
      double pause = opt.min_pause + (opt.max_pause - opt.min_pause) *
                                         unit_from_hash(seeded_hash(opt.seed + 1, u.id));
      audio.resize(audio.size() + static_cast<size_t>(pause * sr), 0.0f);
      Audio a = read_audio((root / u.audio).string());
      LongformPiece p{name, u.id, u.source_id.empty() ? u.id : u.source_id, u.lang, u.text};
      p.start = static_cast<double>(audio.size()) / sr;
      audio.insert(audio.end(), a.samples.begin(), a.samples.end());
      p.end = static_cast<double>(audio.size()) / sr;
      truth.push_back(p);
    }
    if (audio.empty()) break;
    audio.resize(audio.size() + static_cast<size_t>(opt.max_pause * sr), 0.0f);
    write_wav_atomic((fs::path(out_dir) / name).string(), audio, sr);
    if (next >= pool.size()) break;  // ran out of clips
  }
  std::string lines;
  for (const auto& p : truth)
    lines += nlohmann::json{{"recording", p.recording}, {"start", p.start}, {"end", p.end}, {"clip", p.clip},
                            {"source_id", p.source_id}, {"lang", p.lang}, {"text", p.text}}
                 .dump() +
             "\n";
  write_file_atomic((fs::path(out_dir) / "truth.jsonl").string(), lines);
  return truth;
}

std::vector<LongformPiece> read_longform_truth(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open the truth file");
  std::vector<LongformPiece> out;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error(path + ":" + std::to_string(n) + ": not a JSON object");
    try {
      out.push_back({j.at("recording"), j.at("clip"), j.at("source_id"), j.at("lang"), j.at("text"), j.at("start"),
                     j.at("end")});
    } catch (const nlohmann::json::exception& e) {
      throw Error(path + ":" + std::to_string(n) + ": " + e.what());
    }
  }
  return out;
}

}  // namespace clasp
