// Parity with the Python reference (Hugging Face transformers and
// sentence-transformers) on tiny random checkpoints in the real directory
// layouts; see tests/fixtures/hf/README.md for how the fixtures were made.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_helpers.h"
#include "text/hf_text_model.h"
#include "text/sentence_encoder.h"
#include "text/sp_tokenizer.h"
#include "text/text_encoder_model.h"
#include "text/wordpiece_tokenizer.h"
#include "util/error.h"

using namespace clasp;

namespace {

const std::string kFix = std::string(CLASP_SOURCE_DIR) + "/tests/fixtures/hf";

nlohmann::json expected(const std::string& dir) {
  std::ifstream in(kFix + "/" + dir + "/expected.json");
  return nlohmann::json::parse(in);
}

std::vector<std::string> sentences(const nlohmann::json& e) { return e["sentences"].get<std::vector<std::string>>(); }

// Every sentence's ids from the model's own tokenisation must equal the
// reference's; then the last hidden state, row by row, to 1e-4.
void check_transformer(const std::string& dir, const std::string& ids_key) {
  auto e = expected(dir);
  auto m = load_hf_text_model(kFix + "/" + dir);
  auto texts = sentences(e);
  auto batch = m->tokenize(texts);
  torch::NoGradGuard ng;
  auto h = m->hidden(batch);
  for (size_t i = 0; i < texts.size(); ++i) {
    auto want_ids = e[ids_key][i].get<std::vector<int64_t>>();
    auto n = static_cast<int64_t>(want_ids.size());
    auto got_ids = batch.ids[static_cast<int64_t>(i)].slice(0, 0, n);
    EXPECT_EQ(batch.mask[static_cast<int64_t>(i)].sum().item<int64_t>(), n) << dir << " sentence " << i;
    EXPECT_TRUE(torch::equal(got_ids, torch::tensor(want_ids))) << dir << " ids differ for sentence " << i;
    auto want = e["last_hidden_state"][i].get<std::vector<std::vector<float>>>();
    for (int64_t t = 0; t < n; ++t) {
      auto row = torch::tensor(want[static_cast<size_t>(t)]);
      float diff = (h[static_cast<int64_t>(i)][t] - row).abs().max().item<float>();
      ASSERT_LT(diff, 1e-4f) << dir << " sentence " << i << " token " << t;
    }
  }
}

void check_sentence_transformer(const std::string& dir) {
  auto e = expected(dir);
  auto enc = SentenceEncoder::load(kFix + "/" + dir);
  EXPECT_EQ(enc->info().format, "sentence-transformers");
  auto texts = sentences(e);
  auto got = enc->embed(texts, 5);
  auto want = e["embeddings"].get<std::vector<std::vector<float>>>();
  ASSERT_EQ(got.size(), want.size() * want[0].size());
  ASSERT_EQ(static_cast<size_t>(enc->dim()), want[0].size());
  for (size_t i = 0; i < want.size(); ++i)
    for (size_t d = 0; d < want[i].size(); ++d)
      ASSERT_NEAR(got[i * want[i].size() + d], want[i][d], 1e-4) << dir << " sentence " << i << " dim " << d;
  EXPECT_GE(enc->truncated(), 1u);  // the 200-word sentence is cut at max_seq_length
}

}  // namespace

TEST(WordPiece, TokensAndIdsMatchReferenceLowerAndCased) {
  auto e = expected("bert-tiny");
  auto texts = sentences(e);
  for (bool lower : {true, false}) {
    WordPieceOptions o;
    o.lower_case = lower;
    WordPieceTokenizer tok(kFix + "/bert-tiny/vocab.txt", o);
    const std::string sfx = lower ? "_lower" : "_cased";
    for (size_t i = 0; i < texts.size(); ++i) {
      EXPECT_EQ(tok.tokenize(texts[i]), e["tokens" + sfx][i].get<std::vector<std::string>>()) << "sentence " << i;
      auto enc = tok.encode(texts[i], 64);
      EXPECT_EQ(enc.ids, e["ids" + sfx][i].get<std::vector<int64_t>>()) << "sentence " << i;
      EXPECT_EQ(enc.truncated, texts[i].size() > 500) << "sentence " << i;
    }
  }
}

TEST(WordPiece, EdgeCases) {
  WordPieceTokenizer tok(kFix + "/bert-tiny/vocab.txt", {});
  EXPECT_EQ(tok.encode("", 8).ids.size(), 2u);         // [CLS] [SEP]
  EXPECT_EQ(tok.encode(" \t\n ", 8).ids.size(), 2u);
  try {
    tok.encode("caf\xc3", 8);
    FAIL() << "invalid UTF-8 accepted";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("invalid UTF-8"), std::string::npos) << err.what();
  }
  // Decomposed and precomposed accents tokenise the same (NFC first).
  EXPECT_EQ(tok.tokenize("cafe\xcc\x81"), tok.tokenize("caf\xc3\xa9"));
  test::TempDir d;
  { std::ofstream(d / "vocab.txt") << "[PAD]\n[UNK]\n"; }
  EXPECT_THROW(WordPieceTokenizer(d / "vocab.txt", {}), Error);  // no [CLS]
  EXPECT_THROW(WordPieceTokenizer(d / "missing.txt", {}), Error);
}

TEST(HfParity, BertWordPiece) { check_transformer("bert-tiny", "ids_lower"); }
TEST(HfParity, XlmRobertaSentencePiece) { check_transformer("xlmr-tiny", "ids"); }
TEST(HfParity, SentenceTransformersLabseStyleClsDenseNormalize) { check_sentence_transformer("st-labse-tiny"); }
TEST(HfParity, SentenceTransformersXlmrMeanPyTorchBin) { check_sentence_transformer("st-xlmr-tiny"); }

TEST(HfLoader, ClearErrors) {
  test::TempDir d;
  namespace fs = std::filesystem;
  fs::copy(kFix + "/st-labse-tiny", d.path / "st", fs::copy_options::recursive);
  const std::string st = d / "st";
  { std::ofstream(st + "/modules.json") << R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"x","type":"sentence_transformers.models.LSTM"}])"; }
  try {
    load_hf_text_model(st);
    FAIL() << "unknown module accepted";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("LSTM"), std::string::npos) << err.what();
    EXPECT_NE(std::string(err.what()).find("modules.json"), std::string::npos) << err.what();
  }
  fs::remove(st + "/modules.json");
  fs::remove(st + "/model.safetensors");
  try {
    load_hf_text_model(st);
    FAIL() << "missing weights accepted";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("pytorch_model.bin"), std::string::npos) << err.what();
  }
  fs::remove(st + "/vocab.txt");
  EXPECT_THROW(load_hf_text_model(st), Error);
}
