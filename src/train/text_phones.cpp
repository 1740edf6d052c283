#include "train/text_phones.h"

#include <filesystem>
#include <spdlog/spdlog.h>

#include "data/manifest.h"
#include "models/safetensors.h"
#include "speech/phoneme_vocab.h"
#include "text/sentence_encoder.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

TextPhones load_text_phones(const std::string& path, const std::vector<std::string>& symbols,
                            const std::unordered_set<std::string>& held_out_texts, SentenceEncoder& text,
                            const std::string& text_dir, const std::string& work_dir) {
  auto utts = read_manifest(path);
  auto vocab = PhonemeVocab::from_symbols(symbols);
  TextPhones tp;
  std::vector<std::string> texts;
  size_t held_out = 0, unknown = 0, total = 0;
  for (const auto& u : utts) {
    if (u.split != "train" || u.phonemes.empty() || u.text.empty()) continue;
    if (held_out_texts.count(u.text)) {
      ++held_out;
      continue;
    }
    auto ids = vocab.encode(u.phonemes, &unknown);
    total += ids.size();
    if (ids.empty()) continue;
    tp.ids.push_back(u.id);
    tp.phones.push_back(std::move(ids));
    texts.push_back(u.text);
  }
  if (tp.ids.empty()) throw Error(path + ": no train-split sentences with phonemes (make them with clasp data phonemize)");
  if (unknown > total / 20)
    throw Error(path + ": " + std::to_string(unknown) + " phonemes are not in the speech encoder's vocabulary (" +
                std::to_string(total) + " known); were they made by another phonemizer?");
  spdlog::info("text phones: {} sentences from {} ({} left out: validation or test transcripts)", tp.ids.size(), path,
               held_out);

  uint64_t h = 0;
  for (const auto& s : symbols) h = seeded_hash(h, s);
  for (const auto& t : held_out_texts) h ^= seeded_hash(17, t);  // order-free
  std::map<std::string, std::string> meta = {
      {"sentences", file_stamp(path)},
      {"inputs", std::to_string(h)},
      {"text", file_stamp(text_dir + "/model.safetensors") + file_stamp(text_dir + "/clasp_text.json")}};
  const std::string cache = work_dir + "/text-phones.safetensors";
  if (fs::exists(cache) && load_safetensors_metadata(cache) == meta) {
    auto t = load_safetensors(cache);
    if (t.at("text").size(0) == static_cast<int64_t>(tp.ids.size())) {
      spdlog::info("text phones: reusing {}", cache);
      tp.text = t.at("text");
      return tp;
    }
  }
  constexpr size_t kChunk = 4096;
  std::vector<float> all;
  all.reserve(texts.size() * static_cast<size_t>(text.dim()));
  Progress prog("text-phones-embed", static_cast<int64_t>(texts.size()), "sentences");
  for (size_t s = 0; s < texts.size(); s += kChunk) {
    std::vector<std::string> part(texts.begin() + static_cast<long>(s),
                                  texts.begin() + static_cast<long>(std::min(texts.size(), s + kChunk)));
    auto v = text.embed(part);
    all.insert(all.end(), v.begin(), v.end());
    prog.update(static_cast<int64_t>(s + part.size()));
  }
  prog.finish();
  tp.text = torch::from_blob(all.data(), {static_cast<int64_t>(texts.size()), text.dim()}).clone();
  save_safetensors(cache, {{"text", tp.text}}, meta);
  return tp;
}

}  // namespace clasp
