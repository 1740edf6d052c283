#include <gtest/gtest.h>

#include <fstream>

#include "data/manifest.h"
#include "models/bert.h"
#include "models/safetensors.h"
#include "test_helpers.h"
#include "eval/eval_bitext.h"
#include "text/sentence_encoder.h"
#include "text/sp_tokenizer.h"
#include "train/train_text.h"
#include "text/word_lexicon.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"

using namespace clasp;

namespace {
// A tiny parallel corpus: numbered sentences and a word-for-word "translation".
std::vector<Utterance> tiny_parallel(int n) {
  const char* en_words[] = {"red", "blue", "green", "house", "river", "tree", "small", "big", "old", "new"};
  const char* es_words[] = {"rojo", "azul", "verde", "casa", "rio", "arbol", "chico", "grande", "viejo", "nuevo"};
  std::vector<Utterance> v;
  for (int i = 0; i < n; ++i) {
    Utterance en;
    en.id = "ca" + std::to_string(10 + i % 50) + "." + std::to_string(i);
    en.lang = "en";
    en.split = i % 10 == 0 ? "validation" : i % 10 == 1 ? "test" : "train";
    en.doc = en.id.substr(0, 4);
    en.text = "the " + std::string(en_words[i % 10]) + " " + en_words[(i / 10) % 10] + " " + en_words[(i / 3) % 10];
    Utterance es = en;
    es.id += ".es";
    es.lang = "es";
    es.source_id = en.id;
    es.text = std::string("el ") + es_words[i % 10] + " " + es_words[(i / 10) % 10] + " " + es_words[(i / 3) % 10];
    v.push_back(en);
    v.push_back(es);
  }
  return v;
}
}  // namespace

TEST(Safetensors, RoundTripAndErrors) {
  test::TempDir dir;
  std::map<std::string, torch::Tensor> t = {{"a", torch::randn({3, 4})},
                                            {"b.half", torch::randn({5}).to(torch::kFloat16)},
                                            {"c", torch::arange(6, torch::kLong).view({2, 3})},
                                            {"empty", torch::zeros({0, 2})}};
  save_safetensors(dir / "w.safetensors", t, {{"format", "pt"}});
  auto back = load_safetensors(dir / "w.safetensors");
  ASSERT_EQ(back.size(), 4u);
  EXPECT_TRUE(torch::equal(back["a"], t["a"]));
  EXPECT_TRUE(torch::equal(back["b.half"], t["b.half"]));
  EXPECT_TRUE(torch::equal(back["c"], t["c"]));
  EXPECT_EQ(back["empty"].sizes(), t["empty"].sizes());
  // The element count from the header alone, and the bytes' hash as read.
  EXPECT_EQ(safetensors_element_count(dir / "w.safetensors"), 12 + 5 + 6 + 0);
  uint64_t h_read = 0;
  load_safetensors(dir / "w.safetensors", &h_read);
  EXPECT_EQ(h_read, fnv1a64(read_file(dir / "w.safetensors")));

  std::ofstream(dir / "bad.safetensors", std::ios::binary) << std::string("\x10\0\0\0\0\0\0\0{not json}", 18);
  try {
    load_safetensors(dir / "bad.safetensors");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.safetensors"), std::string::npos) << e.what();
  }
  // Offsets that point past the data.
  std::string h = R"({"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(h.size());
  std::ofstream(dir / "short.safetensors", std::ios::binary) << bytes << h << "abcd";
  EXPECT_THROW(load_safetensors(dir / "short.safetensors"), Error);
  // Headers of the wrong shape are refused by name, not with a JSON library
  // exception; a shape whose product overflows is refused before it is used.
  for (const std::string& bad : {std::string(R"([1,2])"), std::string(R"({"x":3})"),
                                 std::string(R"({"x":{"dtype":5,"shape":[1],"data_offsets":[0,4]}})"),
                                 std::string(R"({"x":{"dtype":"F32","shape":"4","data_offsets":[0,4]}})"),
                                 std::string(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})"),
                                 std::string(R"({"x":{"dtype":"F32","shape":[4],"data_offsets":{"a":1}}})"),
                                 std::string(R"({"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})")}) {
    std::string b(8, '\0');
    b[0] = static_cast<char>(bad.size());
    std::ofstream(dir / "odd.safetensors", std::ios::binary) << b << bad << "abcd";
    test::expect_error_naming([&] { load_safetensors(dir / "odd.safetensors"); }, "odd.safetensors");
  }
}

TEST(Bert, PaddingDoesNotChangeTheOutput) {
  torch::manual_seed(0);
  for (const char* type : {"bert", "xlm-roberta"}) {
    BertConfig c;
    c.model_type = type;
    c.vocab_size = 50;
    c.hidden_size = 32;
    c.num_attention_heads = 4;
    c.intermediate_size = 64;
    c.max_position_embeddings = 40;
    c.pad_token_id = 1;
    c.dropout = 0;
    BertModel m(c);
    m->eval();
    auto ids = torch::tensor({{0, 5, 6, 7, 2}}, torch::kLong);
    auto padded = torch::tensor({{0, 5, 6, 7, 2, 1, 1}}, torch::kLong);
    auto h1 = m->forward(ids, torch::ones_like(ids));
    auto mask2 = torch::tensor({{1, 1, 1, 1, 1, 0, 0}}, torch::kLong);
    auto h2 = m->forward(padded, mask2);
    EXPECT_TRUE(torch::allclose(h1, h2.slice(1, 0, 5), 1e-5, 1e-5)) << type;
    EXPECT_TRUE(torch::allclose(mean_pool(h1, torch::ones_like(ids)), mean_pool(h2, mask2), 1e-5, 1e-5)) << type;
  }
}

TEST(Bert, WeightLoadingChecksNamesAndShapes) {
  BertConfig c;
  c.vocab_size = 20;
  c.hidden_size = 16;
  c.num_attention_heads = 2;
  c.intermediate_size = 32;
  c.num_hidden_layers = 1;
  BertModel a(c), b(c);
  std::map<std::string, torch::Tensor> w;
  for (const auto& p : a->named_parameters()) w["bert." + p.key()] = p.value().detach().clone();
  load_bert_weights(b, w, "test");
  EXPECT_TRUE(torch::equal(b->named_parameters()["encoder.layer.0.attention.self.query.weight"],
                           a->named_parameters()["encoder.layer.0.attention.self.query.weight"]));
  w.erase("bert.encoder.layer.0.output.dense.bias");
  EXPECT_THROW(load_bert_weights(b, w, "test"), Error);
}

TEST(TextEncoder, TrainSaveLoadEmbedRetrieve) {
  test::TempDir dir;
  auto utts = tiny_parallel(400);
  write_manifest(dir / "par.jsonl", utts);
  TextTrainOptions o;
  o.manifests = {dir / "par.jsonl"};
  o.out_dir = dir / "model";
  o.work_dir = dir / "work";
  o.vocab_size = 40;
  o.hidden = 32;
  o.layers = 1;
  o.heads = 2;
  o.intermediate = 64;
  o.max_len = 16;
  o.steps = 120;
  o.batch = 32;
  o.warmup = 10;
  o.eval_every = 60;
  o.lr = 3e-3;
  train_text_encoder(o);
  auto enc = SentenceEncoder::load(o.out_dir);
  EXPECT_EQ(enc->dim(), 32);
  auto v = enc->embed({"the red house", "the red house", "el rojo casa"});
  ASSERT_EQ(v.size(), 96u);
  float norm = 0, same = 0;
  for (int k = 0; k < 32; ++k) {
    norm += v[k] * v[k];
    same += std::fabs(v[k] - v[32 + k]);
  }
  EXPECT_NEAR(norm, 1.0f, 1e-4);
  EXPECT_LT(same, 1e-5);
  // A trained model retrieves translations far above chance (1/40).
  auto scores = eval_bitext(*enc, utts, "test", 40, 1);
  ASSERT_EQ(scores.size(), 1u);
  EXPECT_GT(scores[0].en_to_x, 0.3) << scores[0].en_to_x;
  // Re-running with the same step count resumes at the end and changes nothing.
  auto before = enc->embed({"the old tree"});
  train_text_encoder(o);
  auto after = SentenceEncoder::load(o.out_dir)->embed({"the old tree"});
  for (size_t k = 0; k < before.size(); ++k) EXPECT_NEAR(before[k], after[k], 1e-6);

  // Distillation from that model: English stays where the teacher puts it,
  // translations move towards their English sentence's teacher vector.
  TextTrainOptions d = o;
  d.teacher = o.out_dir;
  d.out_dir = dir / "student";
  d.work_dir = dir / "work-student";
  d.steps = 80;
  d.eval_every = 40;
  d.lr = 1e-3;
  train_text_encoder(d);
  auto teacher = SentenceEncoder::load(o.out_dir), student = SentenceEncoder::load(d.out_dir);
  std::vector<std::string> en, es;
  for (size_t i = 0; i + 1 < utts.size(); i += 2)
    if (utts[i].split == "test") {
      en.push_back(utts[i].text);
      es.push_back(utts[i + 1].text);
    }
  auto te = teacher->embed(en), tx = teacher->embed(es), se = student->embed(en), sx = student->embed(es);
  double anchor = 0, before_pull = 0, after_pull = 0;
  for (size_t i = 0; i < te.size(); ++i) {
    anchor += te[i] * se[i];
    before_pull += te[i] * tx[i];
    after_pull += te[i] * sx[i];
  }
  const double n = static_cast<double>(en.size());
  EXPECT_GT(anchor / n, 0.9);
  EXPECT_GT(after_pull / n, before_pull / n + 0.02) << before_pull / n << " -> " << after_pull / n;
  EXPECT_TRUE(std::filesystem::exists(d.work_dir + "/metrics.jsonl"));
}

TEST(TextEncoder, TokenizerTruncatesAndRejectsBadUtf8) {
  test::TempDir dir;
  std::string corpus;
  for (const auto& u : tiny_parallel(200)) corpus += u.text + "\n";
  std::ofstream(dir / "c.txt") << corpus;
  train_sentencepiece(dir / "c.txt", dir / "sp", 40);
  SentencePieceTokenizer tok(dir / "sp.model", false);
  auto e = tok.encode("", 8);
  EXPECT_EQ(e.ids.size(), 2u);  // <s> </s>
  std::string long_text;
  for (int i = 0; i < 100; ++i) long_text += "red blue ";
  auto l = tok.encode(long_text, 8);
  EXPECT_EQ(l.ids.size(), 8u);
  EXPECT_TRUE(l.truncated);
  EXPECT_EQ(l.ids.back(), 3);  // </s> kept
  EXPECT_THROW(tok.encode("bad \xFF byte", 8), Error);
  EXPECT_NO_THROW(tok.encode("emoji 😀 日本語", 64));
  SentencePieceTokenizer fair(dir / "sp.model", true);
  auto f = fair.encode("red", 8), p = tok.encode("red", 8);
  EXPECT_EQ(f.ids.front(), 0);
  EXPECT_EQ(f.ids[1], p.ids[1] + 1);  // fairseq offset
  EXPECT_THROW(SentencePieceTokenizer(dir / "missing.model", false), Error);
}

// The shipped default encoder (models/text-default) must load and match
// hand-written translations (not apertium's) far above chance (1 in 6).
// Its measured bitext accuracy is in docs/text.md (`clasp text eval`).
TEST(DefaultTextEncoder, MatchesTranslations) {
  auto enc = SentenceEncoder::load(default_text_encoder_dir());
  std::vector<std::string> en = {"The jury said the election was conducted well.",
                                 "The city needs more money for its schools.",
                                 "He walked slowly along the river at night.",
                                 "The church was full on Sunday morning.",
                                 "Scientists measured the temperature of the water.",
                                 "She wrote a long letter to her mother."};
  std::vector<std::string> es = {"El jurado dijo que la elección fue conducida bien.",
                                 "La ciudad necesita más dinero para sus escuelas.",
                                 "Caminó despacio a lo largo del río por la noche.",
                                 "La iglesia estuvo llena el domingo por la mañana.",
                                 "Los científicos midieron la temperatura del agua.",
                                 "Escribió una carta larga a su madre."};
  auto a = enc->embed(en), b = enc->embed(es);
  EXPECT_GE(retrieval_acc1(a, b, en.size(), static_cast<size_t>(enc->dim())), 4.0 / 6);
  EXPECT_GE(retrieval_acc1(b, a, en.size(), static_cast<size_t>(enc->dim())), 4.0 / 6);
  EXPECT_THROW(SentenceEncoder::load("/tmp/clasp-no-model"), Error);
}

TEST(WordLexicon, SplitsWordsAcrossScriptsAndPunctuation) {
  EXPECT_EQ(lexicon_words("L'església, «Col·lecció» — Où? 35 anys…"),
            (std::vector<std::string>{"l", "església", "col·lecció", "où", "35", "anys"}));
  EXPECT_TRUE(lexicon_words(" ¿¡ — !? ").empty());
}

TEST(WordLexicon, MergeFillsGapsAndOnlyOverridesWhenAsked) {
  test::TempDir dir;
  std::ofstream(dir / "a.json") << R"({"format": "clasp-lexicon-1", "languages": {"es": {"el": "the", "perro": "dog"}}})";
  std::ofstream(dir / "b.json") << R"({"format": "clasp-lexicon-1", "languages": {"es": {"el": "a", "gato": "cat"},
                                       "de": {"der": "the", "hund": "dog"}}})";
  const auto b = WordLexicon::load(dir / "b.json");
  auto keep = WordLexicon::load(dir / "a.json");
  keep.merge(b, WordLexicon::Merge::KeepMine);
  EXPECT_EQ(keep.gloss("el perro el gato", "es"), "the dog the cat");  // "gato" filled in, "el" kept
  EXPECT_EQ(keep.gloss("der Hund", "de"), "the dog");                  // a new language whole
  auto over = WordLexicon::load(dir / "a.json");
  over.merge(b, WordLexicon::Merge::OtherWins);
  EXPECT_EQ(over.gloss("el perro", "es"), "a dog");  // the other's gloss of "el" wins
  // Alternatives: both glosses of "el" kept, each gloss of the text tried.
  auto both = WordLexicon::load(dir / "a.json");
  both.merge(b, WordLexicon::Merge::Alternatives);
  EXPECT_EQ(both.gloss("el perro", "es"), "the dog");
  EXPECT_EQ(both.glosses("el perro el gato", "es"), (std::vector<std::string>{"the dog the cat", "a dog a cat"}));
  EXPECT_EQ(both.glosses("perro", "es"), (std::vector<std::string>{"dog"}));  // no alternative: one gloss
  EXPECT_TRUE(both.glosses("perro", "fr").empty());
  both.merge(b, WordLexicon::Merge::Alternatives);  // again: nothing repeats
  EXPECT_EQ(both.glosses("el", "es").size(), 2u);
  // Alternatives survive a round trip (an array in the file); a damaged array is refused by name.
  both.save(dir / "both.json");
  EXPECT_EQ(WordLexicon::load(dir / "both.json").glosses("el gato", "es"), both.glosses("el gato", "es"));
  std::ofstream(dir / "bad.json") << R"({"format": "clasp-lexicon-1", "languages": {"es": {"el": ["the", 3]}}})";
  test::expect_error_naming([&] { WordLexicon::load(dir / "bad.json"); }, "languages.es.el must be a string or an array");
  std::ofstream(dir / "empty.json") << R"({"format": "clasp-lexicon-1", "languages": {"es": {"el": []}}})";
  test::expect_error_naming([&] { WordLexicon::load(dir / "empty.json"); }, "languages.es.el must be a string or an array");
}

TEST(WordLexicon, LearnsGlossesFromParallelSentencesAndRoundTrips) {
  // Every word appears in several contexts, so Model 1 can tell which
  // English word each Spanish word goes with.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> pairs = {
      {"es",
       {{"el perro come", "the dog eats"},
        {"el gato come", "the cat eats"},
        {"el perro duerme", "the dog sleeps"},
        {"un gato duerme", "a cat sleeps"},
        {"un perro come", "a dog eats"},
        {"el gato duerme", "the cat sleeps"}}}};
  LexiconOptions o;
  o.min_count = 2;
  auto lex = WordLexicon::learn(pairs, o);
  ASSERT_TRUE(lex.has("es"));
  EXPECT_FALSE(lex.has("fr"));
  EXPECT_EQ(lex.gloss("El perro duerme.", "es"), "the dog sleeps");
  EXPECT_EQ(lex.gloss("Un gato come", "es"), "a cat eats");
  // Words it has not learned (names, numbers, rare words) pass through.
  EXPECT_EQ(lex.gloss("el perro de Midge 35", "es"), "the dog de midge 35");
  EXPECT_EQ(lex.gloss("el perro", "fr"), "");
  // Typed without accents: the accented word's gloss (the bare form unknown).
  auto accented = WordLexicon::learn({{"es", {{"el número", "the number"}, {"un número", "a number"}}}}, o);
  EXPECT_EQ(accented.gloss("numero", "es"), "number");
  EXPECT_EQ(accented.gloss("NUMERO", "es"), "number");
  EXPECT_EQ(accented.gloss("numerito", "es"), "numerito");  // unknown either way: kept
  // The other way, from the same pairs: English into Spanish.
  ASSERT_TRUE(lex.has_from_english("es"));
  EXPECT_EQ(lex.gloss_from_english("The dog sleeps.", "es"), "el perro duerme");
  EXPECT_EQ(lex.gloss_from_english("the cat", "fr"), "");
  test::TempDir dir;
  lex.save(dir / "lex.json");
  auto back = WordLexicon::load(dir / "lex.json");
  EXPECT_EQ(back.size("es"), lex.size("es"));
  EXPECT_EQ(back.gloss("un perro duerme", "es"), "a dog sleeps");
  EXPECT_EQ(back.gloss_from_english("a cat eats", "es"), lex.gloss_from_english("a cat eats", "es"));
  // A file made before English glosses were learned has none, and loads.
  std::ofstream(dir / "old.json") << "{\"format\": \"clasp-lexicon-1\", \"languages\": {\"es\": {\"perro\": \"dog\"}}}";
  auto old = WordLexicon::load(dir / "old.json");
  EXPECT_EQ(old.gloss("perro", "es"), "dog");
  EXPECT_FALSE(old.has_from_english("es"));
  // Files that are not lexicons are refused by name.
  test::expect_error_naming([&] { WordLexicon::load(dir / "none.json"); }, "none.json: cannot read");
  std::ofstream(dir / "junk.json") << "{not json";
  test::expect_error_naming([&] { WordLexicon::load(dir / "junk.json"); }, "junk.json: not a lexicon");
  std::ofstream(dir / "other.json") << "{\"format\": \"something-else\"}";
  test::expect_error_naming([&] { WordLexicon::load(dir / "other.json"); }, "clasp-lexicon-1");
  std::ofstream(dir / "bad.json") << "{\"format\": \"clasp-lexicon-1\", \"languages\": {\"es\": {\"perro\": 3}}}";
  test::expect_error_naming([&] { WordLexicon::load(dir / "bad.json"); }, "languages.es.perro must be a string or an array");
  std::ofstream(dir / "bad2.json") << "{\"format\": \"clasp-lexicon-1\", \"languages\": {}, \"from_english\": {\"es\": {\"dog\": 3}}}";
  test::expect_error_naming([&] { WordLexicon::load(dir / "bad2.json"); }, "from_english.es.dog must be a string or an array");
}
