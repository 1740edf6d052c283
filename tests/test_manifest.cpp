#include <gtest/gtest.h>

#include <fstream>

#include "data/manifest.h"
#include "data/merge_manifests.h"
#include "test_helpers.h"
#include "util/error.h"

using namespace clasp;
namespace fs = std::filesystem;

namespace {
std::string error_of(const std::string& path) {
  try {
    read_manifest(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Manifest, RoundTripKeepsEveryField) {
  test::TempDir dir;
  Utterance u;
  u.id = "ca01.0001.es";
  u.text = "El jurado dijo \"sí\".";
  u.lang = "es";
  u.category = "news";
  u.split = "test";
  u.doc = "ca01";
  u.source_id = "ca01.0001";
  u.tokens = 12;
  u.audio = "audio/es/ca01.0001.es.wav";
  u.duration = 2.5;
  u.voice = "espeak:es+m3";
  u.engine = "espeak";
  u.phonemes = "el xuɾˈaðo";
  write_manifest(dir / "m.jsonl", {u, u});
  auto back = read_manifest(dir / "m.jsonl");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].text, u.text);
  EXPECT_EQ(back[1].source_id, u.source_id);
  EXPECT_EQ(back[1].tokens, 12);
  EXPECT_DOUBLE_EQ(back[1].duration, 2.5);
  EXPECT_EQ(back[1].phonemes, u.phonemes);
}

TEST(Manifest, ErrorsNameFileLineAndField) {
  test::TempDir dir;
  std::string p = dir / "bad.jsonl";
  std::ofstream(p) << R"({"id":"a","text":"x","lang":"en"})" << "\n\n" << R"({"id":"b","lang":"en"})" << "\n";
  std::string e = error_of(p);
  EXPECT_NE(e.find(p + ":3"), std::string::npos) << e;
  EXPECT_NE(e.find("\"text\""), std::string::npos) << e;

  std::ofstream(p) << "{not json\n";
  EXPECT_NE(error_of(p).find("not valid JSON"), std::string::npos);

  std::ofstream(p) << R"({"id":"a","text":"x","lang":"en","split":"dev"})" << "\n";
  EXPECT_NE(error_of(p).find("split"), std::string::npos);

  std::ofstream(p) << R"({"id":"a","text":"x","lang":"en","duration":"long"})" << "\n";
  EXPECT_NE(error_of(p).find("duration"), std::string::npos);

  std::ofstream(p) << "{\"id\":\"a\",\"text\":\"caf\xE9\",\"lang\":\"fr\"}\n";  // Latin-1, not UTF-8
  EXPECT_NE(error_of(p).find("invalid UTF-8"), std::string::npos);

  EXPECT_NE(error_of(dir / "missing.jsonl").find("no such file"), std::string::npos);

  // Absurd sizes are refused with the line, before they cost memory downstream.
  std::ofstream(p) << R"({"id":"a","text":"ok","lang":"en"})" << "\n"
                   << R"({"id":"b","text":")" << std::string(100 << 10, 'a') << R"(","lang":"en"})" << "\n";
  e = error_of(p);
  EXPECT_NE(e.find(p + ":2: field \"text\" holds 102400 bytes"), std::string::npos) << e.substr(0, 200);
  std::ofstream(p) << R"({"id":"b","text":"x","lang":"en","doc":")" << std::string(2 << 20, 'd') << "\"}\n";
  e = error_of(p);
  EXPECT_NE(e.find(p + ":1: a line of"), std::string::npos) << e.substr(0, 200);
  // A long paragraph is fine.
  std::ofstream(p) << R"({"id":"c","text":")" << std::string(20 << 10, 'w') << R"(","lang":"en"})" << "\n";
  EXPECT_EQ(read_manifest(p).at(0).text.size(), 20u << 10);
}

TEST(Manifest, MergeKeepsAudioPathsValidAndRefusesDuplicateIds) {
  test::TempDir dir;
  fs::create_directories(dir / "a/audio");
  fs::create_directories(dir / "b/audio");
  fs::create_directories(dir / "out");
  auto clip = [](const std::string& id, const std::string& audio) {
    Utterance u;
    u.id = id, u.text = "hello", u.lang = "en", u.split = "train", u.audio = audio, u.engine = "flite";
    return u;
  };
  write_manifest(dir / "a/manifest.jsonl", {clip("s1", "audio/s1.wav"), clip("s2", "")});
  write_manifest(dir / "b/manifest.jsonl", {clip("s1.v0", "audio/s1.v0.wav")});
  auto merged = merge_manifests({dir / "a/manifest.jsonl", dir / "b/manifest.jsonl"},
                                dir / "out/manifest.jsonl");
  auto back = read_manifest(dir / "out/manifest.jsonl");
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].audio, "../a/audio/s1.wav");
  EXPECT_EQ(back[1].audio, "") << "a clip without audio stays without";
  EXPECT_EQ(back[2].audio, "../b/audio/s1.v0.wav");
  EXPECT_EQ(fs::weakly_canonical(dir / ("out/" + back[2].audio)), fs::weakly_canonical(dir / "b/audio/s1.v0.wav"));
  try {
    merge_manifests({dir / "a/manifest.jsonl", dir / "a/manifest.jsonl"}, dir / "out/dup.jsonl");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"s1\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unique"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "out/dup.jsonl")) << "nothing written on error";
}
