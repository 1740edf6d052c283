#include <gtest/gtest.h>

#include <cmath>

#include "data/translate.h"
#include "text/query_translator.h"
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

TEST(QueryTranslation, BothWaysThroughEnglishCachedAndNoneWithoutARoute) {
  QueryTranslator t;
  EXPECT_NE(t.translate("El gato es negro.", "es", "en").find("cat"), std::string::npos);
  EXPECT_NE(t.translate("Le chat est noir.", "fr", "en").find("cat"), std::string::npos);  // through Spanish
  const auto it = t.translate("The cat is black.", "en", "it");
  EXPECT_NE(it.find("gatto"), std::string::npos) << it;
  const size_t runs = t.runs();
  EXPECT_EQ(t.translate("The cat is black.", "en", "it"), it);  // from the cache
  EXPECT_EQ(t.runs(), runs);
  // No route: nothing run, nothing made.
  EXPECT_FALSE(QueryTranslator::can_translate("de", "en"));
  EXPECT_FALSE(QueryTranslator::can_translate("es", "fr"));
  EXPECT_TRUE(QueryTranslator::can_translate("en", "pt"));
  EXPECT_EQ(t.translate("Die Katze ist schwarz.", "de", "en"), "");
  EXPECT_EQ(t.translate("", "es", "en"), "");
}

TEST(QueryTranslation, MixingVectorsKeepsThemUnitLength) {
  std::vector<float> q = {1, 0, 0}, tr = {0, 1, 0};
  auto a = q;
  mix_in_translation(a.data(), tr.data(), 3, 0.0);
  EXPECT_EQ(a, q);
  auto b = q;
  mix_in_translation(b.data(), tr.data(), 3, 1.0);
  EXPECT_EQ(b, tr);
  auto c = q;
  mix_in_translation(c.data(), tr.data(), 3, 0.5);
  EXPECT_NEAR(c[0], std::sqrt(0.5f), 1e-6);
  EXPECT_NEAR(c[1], std::sqrt(0.5f), 1e-6);
  EXPECT_EQ(c[2], 0.f);
}

TEST(QueryTranslation, AFailedPairRestsInsteadOfFailingAgain) {
  // A run that cannot finish in time (1 ms) fails; the pair then rests, so
  // the next query is not made to wait for the same failure.
  QueryTranslator t(100, 0.001, 2, 60);
  EXPECT_EQ(t.translate("El gato es negro.", "es", "en"), "");
  EXPECT_EQ(t.runs(), 1u);
  EXPECT_EQ(t.translate("El perro es blanco.", "es", "en"), "");
  EXPECT_EQ(t.runs(), 1u);
  // With time enough the same query translates.
  QueryTranslator u;
  EXPECT_NE(u.translate("El perro es blanco.", "es", "en").find("dog"), std::string::npos);
}
