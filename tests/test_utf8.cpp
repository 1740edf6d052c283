#include <gtest/gtest.h>

#include "util/error.h"
#include "util/hash.h"
#include "util/utf8.h"

using namespace clasp;

TEST(Utf8, AcceptsValidMultilingualText) {
  EXPECT_EQ(find_invalid_utf8("plain ascii"), std::string::npos);
  EXPECT_EQ(find_invalid_utf8("Només un relatiu — 日本語 😀"), std::string::npos);
  EXPECT_EQ(find_invalid_utf8(""), std::string::npos);
}

TEST(Utf8, FindsInvalidSequences) {
  EXPECT_EQ(find_invalid_utf8("ab\xC3\x28"), 2u);          // bad continuation
  EXPECT_EQ(find_invalid_utf8("\xC0\xAF"), 0u);            // overlong '/'
  EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);       // UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);    // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("abc\xE2\x82"), 3u);         // cut short
  EXPECT_EQ(find_invalid_utf8("\xFF"), 0u);
}

TEST(Utf8, RequireNamesWhereAndOffset) {
  try {
    require_utf8("ok\xFFno", "input.txt:3");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("input.txt:3"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("byte 2"), std::string::npos);
  }
}

TEST(Utf8, EscapesInvalidBytesLosslessly) {
  bool esc = true;
  EXPECT_EQ(escape_invalid_utf8("día\\x", &esc), "día\\x");
  EXPECT_FALSE(esc) << "valid text is left exactly as it is";
  EXPECT_EQ(escape_invalid_utf8("a\xff" "b\\c\xc3", &esc), "a\\xff" "b\\\\c\\xc3");
  EXPECT_TRUE(esc);
  EXPECT_EQ(find_invalid_utf8(escape_invalid_utf8("\xfe\xff")), std::string::npos);
}

TEST(Utf8, Latin1ForFestival) {
  EXPECT_EQ(utf8_to_latin1("perché è"), "perch\xE9 \xE8");
  EXPECT_EQ(utf8_to_latin1("日"), "?");
}

TEST(Hash, SeededHashIsStableAndSeedDependent) {
  // Fixed values: splits and voice choices must not change across builds.
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(seeded_hash(1, "ca01"), seeded_hash(1, "ca01"));
  EXPECT_NE(seeded_hash(1, "ca01"), seeded_hash(2, "ca01"));
  double u = unit_from_hash(seeded_hash(3, "x"));
  EXPECT_GE(u, 0.0);
  EXPECT_LT(u, 1.0);
}
