// The CLASP authors' fusion encoders (tests/fixtures/clasp-reference/README.md):
// a whole pickled HubertLabseConcat and a HubertLabseGating state dict load
// into clasp's Fusion and give the reference's outputs for the same branch
// inputs to 1e-5; other structures are refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sndfile.h>
#include <nlohmann/json.hpp>

#include "models/reference_fusion.h"
#include "models/torch_checkpoint.h"
#include "speech/reference_model.h"
#include "test_helpers.h"
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

TEST(ReferenceFusion, ImportAndEmbedAudioFromTheCommandLine) {
  // The concat fixture's speech branch takes 32-d features: tests/fixtures/hf/hubert-tiny's size.
  clasp::test::TempDir d;
  const std::string hf = std::string(CLASP_SOURCE_DIR) + "/tests/fixtures/hf";
  const std::string model = d / "ref", cmd = std::string(CLASP_BIN) + " reference ";
  int rc = 0;
  auto out = clasp::test::run_capture(cmd + "import " + kDir + "/concat-whole-module.pt --speech-model " + hf +
                                          "/hubert-tiny --text-model " + hf + "/st-labse-tiny -o " + model,
                                      &rc);
  ASSERT_EQ(rc, 0) << out;
  // A speech model of another output size is refused by name.
  std::filesystem::create_directories(d.path / "wide");
  auto cfg = nlohmann::json::parse(std::ifstream(hf + "/hubert-tiny/config.json"));
  cfg["hidden_size"] = 64;
  std::ofstream(d / "wide/config.json") << cfg.dump();
  out = clasp::test::run_capture(cmd + "import " + kDir + "/concat-whole-module.pt --speech-model " + (d / "wide") +
                                     " --text-model " + hf + "/st-labse-tiny -o " + (d / "bad"),
                                 &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("takes 32-d features"), std::string::npos) << out;
  const std::string wav = d / "tone.wav";
  auto x = clasp::test::sine(220, 0.5, 16000, 0.3f);
  ASSERT_TRUE(clasp::test::write_audio(wav, x, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT));
  std::vector<float> image(20);
  for (size_t k = 0; k < image.size(); ++k) image[k] = std::sin(0.7f * static_cast<float>(k));
  std::ofstream(d / "img.jsonl") << nlohmann::json{{"audio", "tone.wav"}, {"image", image}}.dump() << "\n";
  out = clasp::test::run_capture(cmd + "embed -m " + model + " --image-features " + (d / "img.jsonl") + " " + wav, &rc);
  ASSERT_EQ(rc, 0) << out;
  auto v = nlohmann::json::parse(out.substr(out.find('{'))).at("embedding").get<std::vector<float>>();
  ASSERT_EQ(v.size(), 768u);
  // The same by hand: peak-normalised audio -> the HuBERT mean-pooled feature, both inputs L2-normalised, the
  // reference fusion, the output L2-normalised.
  ReferenceAudioEmbedder emb(model);
  auto s = emb.speech_feature(x);
  auto f = load_reference_fusion(kDir + "/concat-whole-module.pt");
  torch::NoGradGuard ng;
  namespace F = torch::nn::functional;
  auto unit = [](torch::Tensor t) { return F::normalize(t.unsqueeze(0), F::NormalizeFuncOptions().dim(1)); };
  auto y = unit(f->forward(unit(torch::tensor(s)), unit(torch::tensor(image)), {})[0])[0];
  double worst = 0;
  for (size_t k = 0; k < v.size(); ++k) worst = std::max(worst, std::abs(static_cast<double>(v[k]) - y[static_cast<int64_t>(k)].item<double>()));
  EXPECT_LT(worst, 1e-5);
  // An image feature of the wrong size, or none for the file, is refused by name.
  std::ofstream(d / "short.jsonl") << R"({"audio": "tone.wav", "image": [1, 2, 3]})" << "\n";
  out = clasp::test::run_capture(cmd + "embed -m " + model + " --image-features " + (d / "short.jsonl") + " " + wav, &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("short.jsonl:1"), std::string::npos) << out;
  std::ofstream(d / "other.jsonl") << nlohmann::json{{"audio", "other.wav"}, {"image", image}}.dump() << "\n";
  out = clasp::test::run_capture(cmd + "embed -m " + model + " --image-features " + (d / "other.jsonl") + " " + wav, &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("no image feature for"), std::string::npos) << out;
}
