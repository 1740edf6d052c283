// HuBERT / wav2vec2 parity with Hugging Face transformers on tiny random
// checkpoints (tests/fixtures/hf/README.md): last_hidden_state to 1e-4.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "models/hf_speech_model.h"
#include "test_helpers.h"
#include "util/error.h"

using namespace clasp;
using clasp::test::TempDir;

namespace {

const std::string kFix = std::string(CLASP_SOURCE_DIR) + "/tests/fixtures/hf";

void expect_parity(const std::string& name) {
  std::ifstream in(kFix + "/" + name + "/expected.json");
  ASSERT_TRUE(in) << name;
  auto e = nlohmann::json::parse(in);
  auto m = HfSpeechModel::load(kFix + "/" + name);
  ASSERT_EQ(e["inputs"].size(), 2u);
  for (size_t i = 0; i < e["inputs"].size(); ++i) {
    auto x = e["inputs"][i].get<std::vector<float>>();
    auto ref = e["last_hidden_state"][i].get<std::vector<std::vector<float>>>();
    int64_t frames = 0;
    auto y = m->last_hidden_state(x, &frames);
    ASSERT_EQ(frames, static_cast<int64_t>(ref.size())) << name << " input " << i;
    ASSERT_EQ(frames, m->config().frames_for(static_cast<int64_t>(x.size())));
    double worst = 0;
    for (size_t t = 0; t < ref.size(); ++t)
      for (size_t d = 0; d < ref[t].size(); ++d)
        worst = std::max(worst, std::abs(static_cast<double>(y[t * ref[t].size() + d]) - ref[t][d]));
    EXPECT_LT(worst, 1e-4) << name << " input " << i;
    // The pooled feature: the preprocessor (do_normalize) first, then the mean over frames.
    auto pooled = m->mean_pooled(x);
    ASSERT_EQ(pooled.size(), static_cast<size_t>(m->hidden_size()));
    auto h = m->last_hidden_state(m->preprocess(x), &frames);
    double mean0 = 0;
    for (int64_t t = 0; t < frames; ++t) mean0 += h[static_cast<size_t>(t * m->hidden_size())] / static_cast<double>(frames);
    EXPECT_NEAR(pooled[0], mean0, 1e-5);
    if (m->config().do_normalize) {
      auto p = m->preprocess(x);
      double mu = 0, sd = 0;
      for (float v : p) mu += v / static_cast<double>(p.size());
      for (float v : p) sd += (v - mu) * (v - mu) / static_cast<double>(p.size());
      EXPECT_NEAR(mu, 0, 1e-5);
      EXPECT_NEAR(sd, 1, 1e-3);
    }
  }
}

}  // namespace

TEST(HfSpeechParity, HubertGroupNormPostNorm) { expect_parity("hubert-tiny"); }
TEST(HfSpeechParity, Wav2vec2GroupNormPostNorm) { expect_parity("wav2vec2-base-tiny"); }
TEST(HfSpeechParity, Wav2vec2LayerNormStableLayerNormPrefixed) { expect_parity("wav2vec2-lv-tiny"); }

TEST(HfSpeechModel, ClearErrorsForBadDirectoriesAndInputs) {
  TempDir d;
  EXPECT_THROW(HfSpeechModel::load(d.path.string()), Error);  // no config.json
  std::filesystem::copy(kFix + "/hubert-tiny/config.json", d.path / "config.json");
  try {
    HfSpeechModel::load(d.path.string());
    FAIL() << "no weights accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos) << e.what();
  }
  // Weights of another layout: the missing tensor is named.
  std::filesystem::copy(kFix + "/wav2vec2-lv-tiny/model.safetensors", d.path / "model.safetensors");
  try {
    HfSpeechModel::load(d.path.string());
    FAIL() << "mismatched weights accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(is_hf_speech_dir(kFix + "/hubert-tiny"));
  EXPECT_FALSE(is_hf_speech_dir(kFix + "/bert-tiny"));
  auto m = HfSpeechModel::load(kFix + "/hubert-tiny");
  EXPECT_THROW(m->last_hidden_state(std::vector<float>(10, 0.f)), Error);  // shorter than the receptive field
}

TEST(HfSpeechModel, RandomBaseSizeHasHubertBaseParameterCount) {
  HfSpeechConfig c;  // defaults = HuBERT-base
  auto m = HfSpeechModel::random(c);
  // HuBERT-base is 94.4M parameters without its masked-embedding vector.
  EXPECT_NEAR(static_cast<double>(m->parameter_count()) / 1e6, 94.4, 0.3);
  EXPECT_EQ(c.frames_for(16000), 49);  // 20 ms frames
}
