#include <gtest/gtest.h>

#include "data/translate.h"
#include "util/error.h"

using namespace clasp;

TEST(Translate, UnknownLanguageIsAClearError) {
  try {
    translation_route("xx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"xx\""), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("es"), std::string::npos);
  }
}

TEST(Translate, DirectAndPivotKeepAlignment) {
  std::vector<std::string> en = {"The cat is black.", "I have two houses.", "Where is the\nstation?",
                                 "The dog sleeps."};
  for (const char* lang : {"es", "fr"}) {
    auto out = translate_sentences(en, translation_route(lang), 2);
    ASSERT_EQ(out.size(), en.size());
    for (size_t i = 0; i < en.size(); ++i) {
      EXPECT_TRUE(out[i].error.empty()) << out[i].error;
      EXPECT_FALSE(out[i].text.empty());
      EXPECT_NE(out[i].text, en[i]);
    }
  }
  auto es = translate_sentences({"The cat is black."}, translation_route("es"));
  EXPECT_NE(es[0].text.find("gato"), std::string::npos) << es[0].text;
}

TEST(Translate, FailuresArePinnedToSentencesNotDropped) {
  TranslationRoute broken{"zz", {"no-such-apertium-mode"}};
  auto out = translate_sentences({"one", "two", "three"}, broken, 2);
  ASSERT_EQ(out.size(), 3u);
  for (const auto& t : out) EXPECT_NE(t.error.find("no-such-apertium-mode"), std::string::npos) << t.error;
}

TEST(Translate, ManifestKeepsLinkToSource) {
  Utterance u;
  u.id = "ca01.0001";
  u.text = "The house is big.";
  u.lang = "en";
  u.split = "test";
  u.category = "news";
  u.doc = "ca01";
  auto res = translate_manifest({u}, {"ca", "pt"});
  ASSERT_EQ(res.translated.size(), 2u);
  EXPECT_TRUE(res.failed.empty());
  for (const auto& t : res.translated) {
    EXPECT_EQ(t.source_id, "ca01.0001");
    EXPECT_EQ(t.id, "ca01.0001." + t.lang);
    EXPECT_EQ(t.split, "test");
    EXPECT_EQ(t.doc, "ca01");
  }
  Utterance es = u;
  es.lang = "es";
  EXPECT_THROW(translate_manifest({es}, {"ca"}), Error);
}
