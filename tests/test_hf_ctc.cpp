// Hugging Face wav2vec2 / HuBERT CTC checkpoints as recognisers, against the
// reference implementation on tiny random checkpoints
// (tests/fixtures/hf/README.md): logits to 1e-4, greedy ids and transcripts
// exact, and the tokenizer's decoding rules case by case.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "asr/hf_ctc_asr.h"
#include "models/hf_speech_model.h"
#include "test_helpers.h"
#include "text/unicode_case.h"
#include "util/error.h"

using namespace clasp;
using clasp::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kFix = std::string(CLASP_SOURCE_DIR) + "/tests/fixtures/hf";

nlohmann::json expected(const std::string& name) {
  std::ifstream in(kFix + "/" + name + "/expected.json");
  EXPECT_TRUE(in) << name;
  return nlohmann::json::parse(in);
}

void expect_ctc_parity(const std::string& name) {
  auto e = expected(name);
  HfCtcAsr asr(kFix + "/" + name);
  const auto& m = asr.model();
  ASSERT_EQ(e["inputs"].size(), 3u);
  for (size_t i = 0; i < e["inputs"].size(); ++i) {
    auto x = e["inputs"][i].get<std::vector<float>>();
    auto ref = e["logits"][i].get<std::vector<std::vector<float>>>();
    int64_t frames = 0;
    auto y = m.ctc_logits(m.preprocess(x), &frames);
    ASSERT_EQ(frames, static_cast<int64_t>(ref.size())) << name << " input " << i;
    const size_t V = ref[0].size();
    ASSERT_EQ(static_cast<int64_t>(V), m.config().vocab_size);
    double worst = 0;
    for (size_t t = 0; t < ref.size(); ++t)
      for (size_t v = 0; v < V; ++v) worst = std::max(worst, std::abs(static_cast<double>(y[t * V + v]) - ref[t][v]));
    EXPECT_LT(worst, 1e-4) << name << " input " << i;
    auto ids = asr.greedy_ids(x);
    EXPECT_EQ(ids, e["greedy_ids"][i].get<std::vector<int64_t>>()) << name << " input " << i;
    const auto text = e["transcripts"][i].get<std::string>();
    EXPECT_EQ(asr.vocabulary().decode(ids), text) << name << " input " << i;
    EXPECT_EQ(asr.transcribe(x), utf8_lower(text)) << name << " input " << i;
  }
  for (const auto& c : e["decode"]) {
    auto ids = c["ids"].get<std::vector<int64_t>>();
    EXPECT_EQ(asr.vocabulary().decode(ids), c["text"].get<std::string>()) << c["ids"].dump();
    EXPECT_EQ(asr.vocabulary().decode(ids, true), c["text_skip_special"].get<std::string>()) << c["ids"].dump();
  }
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

TEST(HfCtcParity, Wav2vec2ForCtcSafetensors) { expect_ctc_parity("wav2vec2-ctc-tiny"); }
TEST(HfCtcParity, HubertForCtcPytorchBinStableLayerNorm) { expect_ctc_parity("hubert-ctc-tiny"); }

TEST(HfCtcAsr, ReadsTheCheckpointsOwnVocabularyAndSettings) {
  TempDir d;
  for (const char* f : {"config.json", "model.safetensors", "preprocessor_config.json"})
    fs::copy(kFix + "/wav2vec2-ctc-tiny/" + f, d.path / f);
  // Another order of the same letters, lower-case output, AddedToken-style special tokens, another delimiter.
  nlohmann::json v = {{"[PAD]", 0}, {"<s>", 1}, {"</s>", 2}, {"[UNK]", 3}, {"_", 4}};
  for (int i = 0; i < 27; ++i) v[std::string(1, static_cast<char>('a' + (i % 26))) + (i >= 26 ? "'" : "")] = 5 + i;
  write(d.path / "vocab.json", v.dump());
  write(d.path / "tokenizer_config.json",
        R"({"pad_token": {"content": "[PAD]"}, "unk_token": "[UNK]", "word_delimiter_token": "_",
            "do_lower_case": true})");
  auto voc = CtcVocabulary::from_dir(d.path.string());
  EXPECT_EQ(voc.blank_id(), 0);
  EXPECT_EQ(voc.decode({0, 5, 5, 0, 5, 4, 6, 4, 4}), "aa b");
  EXPECT_EQ(voc.decode({3, 0, 99}), "[unk][unk]");  // an id outside the vocabulary reads as the unknown token
  EXPECT_EQ(voc.decode({3, 0, 99}, true), "[unk]");
  EXPECT_EQ(CtcVocabulary::best_path({0.1f, 0.9f, 0.5f, 0.2f}, 2, 2), (std::vector<int64_t>{1, 0}));
  EXPECT_THROW(CtcVocabulary::best_path({0.1f, 0.9f, 0.5f}, 2, 2), Error);
}

TEST(HfCtcAsr, RefusesCheckpointsItCannotUseByName) {
  // A base model without lm_head.
  try {
    HfCtcAsr asr(kFix + "/wav2vec2-base-tiny");
    FAIL() << "a checkpoint without a CTC head was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no CTC head"), std::string::npos) << e.what();
  }
  TempDir d;
  for (const char* f : {"config.json", "model.safetensors"}) fs::copy(kFix + "/wav2vec2-ctc-tiny/" + f, d.path / f);
  try {
    HfCtcAsr asr(d.path.string());
    FAIL() << "a checkpoint without vocab.json was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("vocab.json"), std::string::npos) << e.what();
  }
  write(d.path / "vocab.json", R"({"a": 0, "b": 1})");  // no pad token: no CTC blank
  try {
    HfCtcAsr asr(d.path.string());
    FAIL() << "a vocabulary without the blank was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("<pad>"), std::string::npos) << e.what();
  }
  write(d.path / "vocab.json", R"({"<pad>": 0, "b": "one"})");
  EXPECT_THROW(HfCtcAsr{d.path.string()}, Error);
  // config.json's vocab_size disagreeing with lm_head's shape is named.
  auto cfg = nlohmann::json::parse(std::ifstream(d.path / "config.json"));
  cfg["vocab_size"] = 40;
  write(d.path / "config.json", cfg.dump());
  try {
    HfSpeechModel::load(d.path.string());
    FAIL() << "a wrong vocab_size was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("vocab_size"), std::string::npos) << e.what();
  }
  // A clip shorter than the feature encoder's receptive field: nothing heard, no error.
  HfCtcAsr asr(kFix + "/wav2vec2-ctc-tiny");
  EXPECT_EQ(asr.transcribe(std::vector<float>(20, 0.1f)), "");
}

TEST(HfCtcAsr, ChooseRecognizerRefusesWhatIsNotACtcModel) {
  EXPECT_THROW(choose_recognizer("/nonexistent/asr", 1), Error);
  EXPECT_THROW(choose_recognizer(kFix + "/bert-tiny", 1), Error);
  auto ps = choose_recognizer("", 3);
  EXPECT_EQ(ps.workers, 3);
  auto hf = choose_recognizer(kFix + "/wav2vec2-ctc-tiny", 2);
  EXPECT_EQ(hf.workers, 1);
  EXPECT_EQ(hf.name, "wav2vec2 CTC (wav2vec2-ctc-tiny)");
  EXPECT_NE(hf.identity, ps.identity);
  EXPECT_EQ(hf.make(), hf.make());  // one shared model
}
