// The CLASP authors' fusion encoders (tests/fixtures/clasp-reference/README.md):
// a whole pickled HubertLabseConcat and a HubertLabseGating state dict load
// into clasp's Fusion and give the reference's outputs for the same branch
// inputs to 1e-5; other structures are refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "models/reference_fusion.h"
#include "models/torch_checkpoint.h"
#include "util/error.h"

using namespace clasp;

namespace {

const std::string kDir = std::string(CLASP_SOURCE_DIR) + "/tests/fixtures/clasp-reference";

torch::Tensor matrix(const nlohmann::json& rows) {
  auto v = rows.get<std::vector<std::vector<float>>>();
  auto t = torch::empty({static_cast<int64_t>(v.size()), static_cast<int64_t>(v[0].size())});
  for (size_t i = 0; i < v.size(); ++i)
    for (size_t j = 0; j < v[i].size(); ++j) t[static_cast<int64_t>(i)][static_cast<int64_t>(j)] = v[i][j];
  return t;
}

void expect_reference_output(const std::string& kind) {
  auto e = nlohmann::json::parse(std::ifstream(kDir + "/expected.json"));
  FusionConfig cfg;
  auto f = load_reference_fusion(kDir + "/" + e[kind]["file"].get<std::string>(), &cfg);
  EXPECT_EQ(cfg.kind, kind);
  EXPECT_EQ(cfg.speech_dim, e["speech_dim"].get<int64_t>());
  EXPECT_EQ(cfg.spectrogram_dim, e["image_dim"].get<int64_t>());
  EXPECT_EQ(cfg.out_dim, 768);
  torch::NoGradGuard ng;
  auto y = f->forward(matrix(e["speech"]), matrix(e["image"]), {});
  auto ref = matrix(e[kind]["output"]);
  ASSERT_EQ(y.sizes(), ref.sizes());
  EXPECT_LT((y - ref).abs().max().item<double>(), 1e-5) << kind;
  // Compared by cosine downstream: the directions agree too, whatever the output's scale (gating's is ~1e-4).
  auto cos = torch::nn::functional::cosine_similarity(y, ref, torch::nn::functional::CosineSimilarityFuncOptions().dim(1));
  EXPECT_GT(cos.min().item<double>(), 1 - 1e-5) << kind;
  EXPECT_GT(ref.abs().max().item<double>(), 0) << "a fixture whose outputs are all zero tests nothing";
}

}  // namespace

TEST(ReferenceFusion, ConcatPickledWholeAsTheAuthorsReleasedIt) { expect_reference_output("concat"); }
TEST(ReferenceFusion, GatingStateDict) { expect_reference_output("gating"); }

TEST(ReferenceFusion, OtherStructuresAreRefusedByName) {
  auto state = load_torch_state_dict(kDir + "/gating-state-dict.pt");
  // A tensor the structure does not have.
  auto extra = state;
  extra["head.weight"] = torch::zeros({2, 2});
  try {
    convert_reference_fusion(extra, "x.pt");
    FAIL() << "an unexpected tensor was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("head.weight"), std::string::npos) << e.what();
  }
  // The reference's wav2vec2 variant (Wav2vecConcat: a 700-wide first layer in its audio MLP) is another structure.
  auto other = convert_reference_fusion(load_torch_state_dict(kDir + "/concat-whole-module.pt"), "y.pt");
  other.weights["speech_mlp.net.0.weight"] = torch::zeros({700, other.config.speech_dim});
  try {
    make_reference_fusion(other, "y.pt");
    FAIL() << "a tensor of another shape was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("speech_mlp.net.0.weight"), std::string::npos) << e.what();
  }
  // Not a fusion encoder at all.
  EXPECT_THROW(convert_reference_fusion({{"encoder.weight", torch::zeros({2, 2})}}, "x.pt"), Error);
  // DataParallel's "module." prefix is accepted.
  std::map<std::string, torch::Tensor> prefixed;
  for (auto& [k, v] : state) prefixed["module." + k] = v;
  EXPECT_EQ(convert_reference_fusion(prefixed, "x.pt").weights.size(), state.size());
}
