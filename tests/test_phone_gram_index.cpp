// The phonetic candidate index: phone classes, n-gram keys, BM25 ranking.
#include <gtest/gtest.h>
#include <algorithm>
#include <random>
#include <set>

#include "index/heard_alignment.h"
#include "index/phone_gram_index.h"
#include "util/utf8.h"
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
  flipped[bytes.size() - 1] = 'x';  // the symbol table's last line, now unterminated
  clasp::write_file_atomic(dir / "bad.bin", flipped);
  EXPECT_THROW(PhoneGramIndex::load(dir / "bad.bin"), Error);
}

TEST(PhoneGramIndex, EditDistanceIsTheFewestEditsToAnyStretch) {
  // Myers' bit-parallel count against the textbook table, on random strings.
  std::mt19937 rng(7);
  auto brute = [](const std::vector<uint8_t>& q, const std::vector<uint8_t>& t) {
    std::vector<size_t> prev(t.size() + 1, 0), row(t.size() + 1);  // free start: row 0 all zero
    for (size_t i = 1; i <= q.size(); ++i) {
      row[0] = i;
      for (size_t j = 1; j <= t.size(); ++j)
        row[j] = std::min({prev[j - 1] + (q[i - 1] != t[j - 1]), prev[j] + 1, row[j - 1] + 1});
      std::swap(prev, row);
    }
    return *std::min_element(prev.begin(), prev.end());  // free end
  };
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<uint8_t> q(1 + rng() % 64), t(rng() % 90);
    const unsigned alphabet = trial % 2 ? 2 + rng() % 15 : 256;
    for (auto& c : q) c = static_cast<uint8_t>(rng() % alphabet);
    for (auto& c : t) c = static_cast<uint8_t>(rng() % alphabet);
    ASSERT_EQ(substring_edit_distance(q, t.data(), t.size()), brute(q, t)) << "trial " << trial;
  }
  const std::vector<uint8_t> abc = {1, 2, 3};
  const std::vector<uint8_t> text = {9, 1, 2, 3, 9};
  EXPECT_EQ(substring_edit_distance(abc, text.data(), text.size()), 0u);
  EXPECT_EQ(substring_edit_distance(abc, text.data(), 0), 3u);  // nothing to match: every class inserted
  EXPECT_EQ(substring_edit_distance({}, text.data(), text.size()), SIZE_MAX);
  EXPECT_EQ(substring_edit_distance(std::vector<uint8_t>(65, 1), text.data(), text.size()), SIZE_MAX);
}

TEST(PhoneGramIndex, RefinementPrefersThePhraseInOrderToItsPiecesScattered) {
  // Segment 1 says the phrase inside a long stretch of other speech;
  // segment 2, short, holds its pieces apart and in the other order, which
  // a bag of n-grams scores higher.
  const std::string phrase = "bɹɛdmʌðɚ";
  auto build = [](size_t refine) {  // 20 unrelated segments keep the n-grams' document frequencies low
    PhoneGramOptions o;
    o.refine = refine;
    PhoneGramIndex idx(o);
    idx.add(1, "en", "sʌndeɪkoʊtʃsʌndeɪkoʊtʃbɹɛdmʌðɚsʌndeɪkoʊtʃsʌndeɪkoʊtʃ");
    idx.add(2, "en", "mʌðɚsubɹɛdsumʌðɚ");
    for (int i = 0; i < 20; ++i) idx.add(10 + i, "en", "sʌndeɪkoʊtʃ");  // unrelated
    idx.freeze();
    return idx;
  };
  EXPECT_EQ(build(0).top(phrase, 1).at(0).first, 2) << "BM25 alone";
  EXPECT_EQ(build(8).top(phrase, 1).at(0).first, 1) << "refined";
  EXPECT_EQ(build(8).top(phrase, 2).size(), 2u);
}

TEST(HeardAlignment, MarksTheStretchTheQueryWasHeardIn) {
  // Code points, not bytes: "ʃ" and "ɛ" are two bytes each.
  const std::string heard = "ðə kæt sæt ɔn ðə mæt ʃɛl";
  auto span = best_heard_span({"s", "æ", "t", "|", "ɔ", "n"}, heard);
  ASSERT_FALSE(span.empty());
  const auto chars = utf8_characters(heard);
  std::string got;
  for (size_t i = span.begin; i < span.end; ++i) got += chars[i];
  EXPECT_EQ(got, "sæt ɔn");
  // One phoneme misheard: still found, at the same place.
  auto near = best_heard_span({"s", "ɛ", "t", "ɔ", "n"}, heard);
  EXPECT_EQ(near.begin, span.begin);
  EXPECT_EQ(near.end, span.end);
  // Multi-byte symbols at the end.
  auto tail = best_heard_span({"m", "æ", "t", "ʃ", "ɛ", "l"}, heard);
  EXPECT_EQ(tail.end, chars.size());
  EXPECT_EQ(tail.begin, chars.size() - 7);
  // Too short to say where (any transcript holds a close match), or too far off.
  EXPECT_TRUE(best_heard_span({"ð", "ə"}, heard).empty());
  EXPECT_TRUE(best_heard_span({"s", "u", "t", "ɔ", "m"}, heard).empty());  // two of five edited
  // Nothing like it: no mark, rather than a wrong one.
  EXPECT_TRUE(best_heard_span({"b", "ʁ", "u", "i", "j", "a", "ʁ"}, heard).empty());
  EXPECT_TRUE(best_heard_span({}, heard).empty());
  EXPECT_TRUE(best_heard_span({"a"}, "").empty());
}

TEST(PhoneGramIndex, AQueryFindsATranscriptThatMissedOneOfItsPhones) {
  // The recogniser dropped the /a/ of /pato/: the transcript /pto/ shares no
  // 3- or 4-gram with the query, only the query's key with that phone left out.
  auto build = [](bool deletion_keys) {
    PhoneGramOptions o;
    o.deletion_keys = deletion_keys;
    PhoneGramIndex g(o);
    g.add(1, "es", "pto");
    g.add(2, "es", "mile");
    g.add(3, "es", "lunes");
    g.freeze();
    return g;
  };
  const auto with = build(true).top("pato", 3);
  ASSERT_FALSE(with.empty());
  EXPECT_EQ(with[0].first, 1);
  for (const auto& [id, score] : build(false).top("pato", 3)) EXPECT_NE(id, 1);
  // The extra keys are the query's 3-grams of four phones with one of the middle two out.
  const auto plain = phone_gram_keys(phone_classes("pato")), more = phone_gram_query_keys(phone_classes("pato"));
  EXPECT_EQ(more.size(), plain.size() + 2);
}
