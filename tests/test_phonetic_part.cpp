// A model's phonetic part: a target-"phonemes" model appended to a CLASP
// model's vectors, gated by the language it hears, and the query side that
// matches it (QueryEmbedder).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "speech/clasp_audio_model.h"
#include "speech/phone_sequences.h"
#include "speech/phoneme_vocab.h"
#include "speech/query_embedder.h"
#include "text/sentence_encoder.h"
#include "tts/phonemizer.h"
#include "util/fs.h"
#include "test_helpers.h"
#include "tiny_models.h"

using namespace clasp;
namespace fs = std::filesystem;

namespace {

float dot(const std::vector<float>& a, size_t ra, const std::vector<float>& b, size_t rb, size_t d) {
  float s = 0;
  for (size_t k = 0; k < d; ++k) s += a[ra * d + k] * b[rb * d + k];
  return s;
}

}  // namespace

TEST(PhoneticPart, AppendedGatedByLanguageAndMatchedByTheQuerySide) {
  torch::manual_seed(3);
  test::TempDir d;
  // Enough IPA symbols for espeak-ng's English "hello world" to be heard.
  auto sc = test::tiny_encoder({"h", "\xc9\x99", "l", "o", "\xca\x8a", "|", "w", "\xc9\x9c", "\xcb\x90", "d", "\xc9\x9b"});
  SpeechEncoder enc(sc);
  save_speech_encoder(enc, d / "speech");
  const std::string text_dir = std::string(CLASP_SOURCE_DIR) + "/models/text-default";
  const auto text_dim = SentenceEncoder::load(text_dir)->dim();

  ClaspModelConfig main_cfg = test::tiny_frame_model();
  main_cfg.out_dim = text_dim;
  main_cfg.speech_encoder = "../speech";
  main_cfg.text_encoder = fs::relative(text_dir, d.path / "model").string();
  ClaspModelConfig ph_cfg = main_cfg;
  ph_cfg.use_speech = false;
  ph_cfg.frame_inputs = "phones";
  ph_cfg.phone_dim = 8;
  ph_cfg.out_dim = 6;
  ph_cfg.target = "phonemes";
  ph_cfg.languages = {"en", "fr"};
  ph_cfg.speech_encoder = "../../speech";
  ph_cfg.text_encoder = "../" + main_cfg.text_encoder;
  ClaspAudioModel main_model(main_cfg, load_speech_encoder(d / "speech"));
  ClaspAudioModel ph_model(ph_cfg, load_speech_encoder(d / "speech"));
  EXPECT_TRUE(ph_model->lang_head) << "a phonemes model with languages has a language head";
  save_clasp_model(main_model, d / "model");
  save_clasp_model(ph_model, d / "model/phonetic");
  auto j = nlohmann::json::parse(read_file(d / "model/clasp.json"));
  EXPECT_FALSE(j.contains("phonetic")) << "no phonetic part, no field";
  j["phonetic"] = "phonetic";
  j["phonetic_weight"] = 0.3;
  write_file_atomic(d / "model/clasp.json", j.dump());

  auto m = load_clasp_model(d / "model");
  ASSERT_TRUE(m->phonetic);
  EXPECT_EQ(m->phonetic->speech.get(), m->speech.get()) << "one encoder pass for both";
  const int64_t D = text_dim + 6 * 2;
  EXPECT_EQ(m->embedding_dim(), D);

  // Audio side: [sqrt(0.7) * semantic ; sqrt(0.3) * phonetic (x) P(language) / |P|].
  auto [x, len] = pad_mels({std::vector<float>(120 * 80, 0.f), std::vector<float>(90 * 80, 0.f)}, 80);
  x.normal_(-5, 3);
  torch::NoGradGuard ng;
  auto f = m->speech_features(x, len);
  auto a = m->embed(f, x, len);
  ASSERT_EQ(a.size(1), D);
  auto ph = m->phonetic;
  m->phonetic = nullptr;
  auto sem = m->embed(f, x, len);
  m->phonetic = ph;
  torch::Tensor logits;
  auto p = ph->embed(f, x, len, &logits);
  ASSERT_TRUE(logits.defined());
  auto probs = torch::softmax(logits, 1);
  auto gate = probs / probs.norm(2, 1, true);  // unit length, so the whole vector is
  EXPECT_TRUE(torch::allclose(a.slice(1, 0, text_dim), sem * std::sqrt(0.7), 1e-5, 1e-5));
  for (int64_t l = 0; l < 2; ++l)  // P-major: element k of language l at k * L + l
    EXPECT_TRUE(torch::allclose(a.slice(1, text_dim).view({2, 6, 2}).select(2, l),
                                p * gate.select(1, l).unsqueeze(1) * std::sqrt(0.3), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(a.norm(2, 1), torch::ones({2}), 1e-5, 1e-5)) << "unit vectors: audio queries score 1 on themselves";
  // With each language's mean stored, a clip sits relative to it: slot l is
  // (vector - mean[l]) x gate[l], the whole part scaled to unit length.
  ph->lang_means.copy_(torch::randn({2, 6}) * 0.3);
  auto ac = m->embed(f, x, len);
  auto centred = (p.unsqueeze(2) - ph->lang_means.t().unsqueeze(0)) * gate.unsqueeze(1);
  auto want_part = centred.flatten(1) / centred.flatten(1).norm(2, 1, true) * std::sqrt(0.3);
  EXPECT_TRUE(torch::allclose(ac.slice(1, text_dim), want_part, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(ac.norm(2, 1), torch::ones({2}), 1e-5, 1e-5));
  ph->lang_means.zero_();

  // Query side: the text encoder's vector, and the phonetic vector of the
  // query's phonemes in its language's slot.
  QueryEmbedder q(d / "model", m.ptr());
  ASSERT_EQ(q.dim(), D);
  const std::string text = "hello world";
  auto en = q.embed({text}, "en"), none = q.embed({text}, ""), de = q.embed({text}, "de");
  auto t = SentenceEncoder::load(text_dir)->embed({text});
  for (int64_t k = 0; k < text_dim; ++k) ASSERT_NEAR(en[k], std::sqrt(0.7) * t[k], 1e-5);
  auto ids = PhonemeVocab::from_symbols(sc.phonemes).encode(phonemize_ipa(text, "en"));
  ASSERT_GE(ids.size(), 4u) << "the query is heard as phonemes the encoder knows";
  auto [tok, tok_len] = pad_phones({ids});
  auto pt = ph->embed_phoneme_text(tok, tok_len);
  EXPECT_NEAR(pt.norm().item<float>(), 1.0f, 1e-5);
  for (int64_t k = 0; k < 6; ++k) {
    EXPECT_NEAR(en[text_dim + k * 2 + 0], std::sqrt(0.3) * pt[0][k].item<float>(), 1e-5) << "the en slot";
    EXPECT_EQ(en[text_dim + k * 2 + 1], 0.0f) << "the fr slot stays empty";
  }
  for (int64_t k = text_dim; k < D; ++k) {
    EXPECT_EQ(none[k], 0.0f) << "no query language: no phonetic part";
    EXPECT_EQ(de[k], 0.0f) << "a language the model does not know: no phonetic part";
  }
  // So a score is 0.7 semantic + 0.3 phonetic x how surely the clip is English.
  std::vector<float> av(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
  const float want = 0.7f * torch::dot(sem[1], torch::tensor(std::vector<float>(t.begin(), t.end()))).item<float>() +
                     0.3f * torch::dot(p[1], pt[0]).item<float>() * gate[1][0].item<float>();
  EXPECT_NEAR(dot(av, 1, en, 0, static_cast<size_t>(D)), want, 1e-4);

  // Refused by name: a phonetic part that is not a phonemes model, the
  // wrong branches for one, languages on a text model, a bad weight.
  ClaspModelConfig other_cfg = main_cfg;
  other_cfg.speech_encoder = "../../speech";
  other_cfg.text_encoder = ph_cfg.text_encoder;
  ClaspAudioModel other(other_cfg, load_speech_encoder(d / "speech"));
  save_clasp_model(other, d / "model/other");
  j["phonetic"] = "other";
  write_file_atomic(d / "model/clasp.json", j.dump());
  test::expect_error_naming([&] { load_clasp_model(d / "model"); }, "must have target \"phonemes\"");
  j["phonetic"] = ".";  // itself: refused, not an endless recursion
  write_file_atomic(d / "model/clasp.json", j.dump());
  test::expect_error_naming([&] { load_clasp_model(d / "model"); }, "the model contains itself");
  j["phonetic"] = "phonetic";
  j["phonetic_weight"] = 1.0;
  write_file_atomic(d / "model/clasp.json", j.dump());
  test::expect_error_naming([&] { load_clasp_model(d / "model"); }, "phonetic_weight");
  ClaspModelConfig bad = ph_cfg;
  bad.use_speech = true;
  test::expect_error_naming([&] { bad.check("cfg"); }, "target \"phonemes\" needs the phone branch alone");
  bad = main_cfg;
  bad.languages = {"en"};
  test::expect_error_naming([&] { bad.check("cfg"); }, "languages");
  test::expect_error_naming([&] { main_model->embed_phoneme_text(tok, tok_len); }, "phoneme-text tower");
}
