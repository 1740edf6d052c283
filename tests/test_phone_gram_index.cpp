// The phonetic candidate index: phone classes, n-gram keys, BM25 ranking.
#include <gtest/gtest.h>
#include <set>

#include "index/phone_gram_index.h"
#include "test_helpers.h"
#include "util/error.h"
#include "util/fs.h"

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
  // Segments of unknown language may be in any: a language filter keeps them.
  PhoneGramIndex mixed;
  mixed.add(1, "fr", "ləskuːlɛʁu");
  mixed.add(2, "", "ðəskuːlwʌznuː");
  mixed.add(3, "en", "maɪskuːlbʌs");
  mixed.freeze();
  std::set<int64_t> en;
  for (const auto& [id, score] : mixed.top("skuːl", 5, "en")) en.insert(id);
  EXPECT_EQ(en, (std::set<int64_t>{2, 3}));
  EXPECT_EQ(mixed.top("skuːl", 5, "de").size(), 1u) << "a language no segment has still finds the unknown ones";
}

TEST(PhoneGramIndex, SavesLoadsAndRefusesDamage) {
  test::TempDir dir;
  PhoneGramIndex idx;
  idx.add(7, "en", "ðəɹɪvəflʌdɪd");
  idx.add(9, "fr", "ləʃɑ̃dəblez");
  idx.add(11, "en", "maɪɡɹænmʌðɚ");
  idx.freeze();
  idx.save(dir / "g.bin");
  auto back = PhoneGramIndex::load(dir / "g.bin");
  EXPECT_EQ(back.size(), 3u);
  EXPECT_EQ(back.top("ɡɹænmʌ", 2), idx.top("ɡɹænmʌ", 2));
  EXPECT_EQ(back.top("blez", 2, "fr"), idx.top("blez", 2, "fr"));
  std::string bytes = clasp::read_file(dir / "g.bin");
  for (size_t cut : {size_t{4}, bytes.size() / 2, bytes.size() - 1}) {
    clasp::write_file_atomic(dir / "bad.bin", bytes.substr(0, cut));
    EXPECT_THROW(PhoneGramIndex::load(dir / "bad.bin"), Error) << cut;
  }
  std::string flipped = bytes;
  flipped[bytes.size() - 2] = '\x7f';  // the last key's document frequency, now above its postings
  clasp::write_file_atomic(dir / "bad.bin", flipped);
  EXPECT_THROW(PhoneGramIndex::load(dir / "bad.bin"), Error);
}
