// The phonetic candidate index: phone classes, n-gram keys, BM25 ranking.
#include <gtest/gtest.h>

#include "index/phone_gram_index.h"
#include "util/error.h"

using namespace clasp;

TEST(PhoneGramIndex, ClassesForgiveTheRecognisersCommonConfusions) {
  // Voicing, vowel quality and rhotics share a class; marks carry none.
  EXPECT_EQ(phone_classes("bæd"), phone_classes("pɑt"));
  EXPECT_EQ(phone_classes("ɾeɪ"), phone_classes("ʁɛi"));
  EXPECT_EQ(phone_classes("aː|ˈt"), phone_classes("at"));
  EXPECT_NE(phone_classes("mat"), phone_classes("sat"));
  EXPECT_EQ(phone_gram_keys("abc").size(), 1u);   // one 3-gram
  EXPECT_EQ(phone_gram_keys("abcd").size(), 3u);  // two 3-grams, one 4-gram
  EXPECT_TRUE(phone_gram_keys("ab").empty());
}

TEST(PhoneGramIndex, RanksTheSpokenSegmentFirstDespiteErrors) {
  PhoneGramIndex idx;
  const std::vector<std::string> segs = {"ðəɹɪvəflʌdɪdðəoʊldmɪl", "maɪɡɹænmʌðɚbeɪktbɹɛd", "ðəkəmɪtiəpɹuːvdðəbʌdʒɪt",
                                         "sʌndeɪmɔːɹnɪŋ", "ðəskuːlwʌznuː"};
  for (size_t i = 0; i < segs.size(); ++i) idx.add(static_cast<int64_t>(100 + i), i == 4 ? "fr" : "en", segs[i]);
  EXPECT_THROW(idx.top("abc", 3), Error);  // not frozen
  idx.freeze();
  EXPECT_EQ(idx.size(), 5u);
  EXPECT_GT(idx.memory_bytes(), 0u);
  // A recogniser-like reading of segment 2: voicing and vowel errors, a deletion.
  auto top = idx.top("ðəkamɪtiəbɹoːftðəpʌdʒt", 3);
  ASSERT_FALSE(top.empty());
  EXPECT_EQ(top[0].first, 102);
  // A phrase inside a segment finds it.
  EXPECT_EQ(idx.top("bɹɛd", 1).at(0).first, 101);
  // Language filter; an unknown language or nothing in common gives nothing.
  EXPECT_EQ(idx.top("skuːl", 5, "fr").size(), 1u);
  EXPECT_TRUE(idx.top("skuːl", 5, "de").empty());
  EXPECT_TRUE(idx.top("zzz", 5).empty());
  EXPECT_THROW(idx.add(1, "en", "abc"), Error);  // frozen
}
