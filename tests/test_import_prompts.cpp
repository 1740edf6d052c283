#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "data/import_prompts.h"
#include "test_helpers.h"

using namespace clasp;
namespace fs = std::filesystem;

namespace {

// A package tree as scripts/fetch_real_speech.sh leaves it: transcript in the
// doc folder, 8 kHz WAVs under sounds/<lang>_XX_f_Test/. `audio` lists the
// prompt names that get a file ("" = every named prompt).
void fake_package(const fs::path& root, const std::string& lang, const std::string& transcript,
                  const std::vector<std::string>& audio) {
  const std::string pkg = "asterisk-core-sounds-" + lang;
  fs::path doc = root / pkg / "usr/share/doc" / pkg;
  fs::create_directories(doc);
  std::ofstream(doc / ("core-sounds-" + lang + ".txt")) << transcript;
  fs::path voice = root / (pkg + "-wav") / "usr/share/asterisk/sounds" / (lang + "_XX_f_Test");
  for (const auto& name : audio) {
    fs::create_directories((voice / name).parent_path());
    ASSERT_TRUE(test::write_audio((voice / (name + ".wav")).string(), test::sine(440, 0.5, 8000), 8000, 1,
                                  SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  }
}

// 40 numbered prompts in both languages plus the awkward cases of the real files.
void fake_en_es(const fs::path& root) {
  std::string en = "; Core Asterisk Sounds in English\n\n", es = "\xEF\xBB\xBF; Spanish\n";
  std::vector<std::string> en_audio, es_audio;
  for (int i = 0; i < 40; ++i) {
    std::string n = "p" + std::to_string(i);
    en += n + ": Prompt number " + std::to_string(i) + ".\n";
    es += n + ": Frase numero " + std::to_string(i) + ".\n";
    en_audio.push_back(n);
    es_audio.push_back(n);
  }
  en += "digits/1: One.\nletters/at: at [@]\nbeep: [this is a simple beep tone]\nsilence/1: (1 second of silence)\n"
        "dictate/forhelp: press 0 for help\nnot-recorded: Nobody said this.\nvm-Case: Case differs here.\n"
        "thanks-a: Thank you.\nthanks-b: Thank you!\nspy-iax2: IAX (note: does not say \"2\")\n";
  en_audio.insert(en_audio.end(), {"digits/1", "letters/at", "beep", "silence/1", "dictate/forhelp", "vm-case",
                                   "thanks-a", "thanks-b", "spy-iax2"});
  es += "dictate/forhelp: presione 0 para ayuda\nsolo-es: Solo en español.\nvacio:\ndigits/0: cero\ndigits/0: diez\n";
  es_audio.insert(es_audio.end(), {"dictate/forhelp", "solo-es", "vacio", "digits/0"});
  fake_package(root, "en", en, en_audio);
  fake_package(root, "es", es, es_audio);
}

std::vector<Utterance> import_en_es(const test::TempDir& dir, const PromptImportOptions& opt = {},
                                    std::map<std::string, PromptImportStats>* stats = nullptr) {
  const std::string root = dir / "pkgs";
  return import_prompts({asterisk_source(root, "en"), asterisk_source(root, "es")}, dir / "out/manifest.jsonl", opt,
                        stats);
}

}  // namespace

TEST(ImportPrompts, SpokenTextDropsNotesAndSymbolGlosses) {
  EXPECT_EQ(spoken_prompt_text("[ascending tones]"), "");
  EXPECT_EQ(spoken_prompt_text("(beep)"), "");
  EXPECT_EQ(spoken_prompt_text("at [@]"), "at");
  EXPECT_EQ(spoken_prompt_text("Sus saludos [temporales] estan en uso"), "Sus saludos temporales estan en uso");
  EXPECT_EQ(spoken_prompt_text("Please leave a message. (simple tone sound plays)"), "Please leave a message.");
  EXPECT_EQ(count_prompt_words("press * to toggle"), 3);
  EXPECT_EQ(count_prompt_words("più [+]"), 1);  // a symbol is not a word
}

TEST(ImportPrompts, IdsTextsAndAudioOfEachPrompt) {
  test::TempDir dir;
  fake_en_es(dir.path / "pkgs");
  auto utts = import_en_es(dir);
  write_manifest(dir / "out/manifest.jsonl", utts);
  auto m = clasp::test::by_id(utts);
  ASSERT_TRUE(m.count("asterisk.en.dictate.forhelp"));
  const Utterance& u = *m["asterisk.en.dictate.forhelp"];
  EXPECT_EQ(u.text, "press 0 for help");
  EXPECT_EQ(u.lang, "en");
  EXPECT_EQ(u.category, "asterisk");
  EXPECT_EQ(u.doc, "dictate/forhelp");
  EXPECT_EQ(u.engine, "human");
  EXPECT_EQ(u.voice, "asterisk:en");
  EXPECT_EQ(u.source_id, "");
  EXPECT_NEAR(u.duration, 0.5, 1e-3);
  // Audio stays where the package put it, relative to the manifest's folder.
  EXPECT_EQ(u.audio.rfind("../pkgs/asterisk-core-sounds-en-wav/", 0), 0u) << u.audio;
  EXPECT_TRUE(fs::exists(dir.path / "out" / u.audio));
  // A name whose case differs from its file still finds it.
  ASSERT_TRUE(m.count("asterisk.en.vm-Case"));
  EXPECT_TRUE(fs::exists(dir.path / "out" / m["asterisk.en.vm-Case"]->audio));
  // English first, in transcript order.
  EXPECT_EQ(utts.front().id, "asterisk.en.p0");
}

TEST(ImportPrompts, SkipsShortSilentUntranscribedAndUnrecordedPrompts) {
  test::TempDir dir;
  fake_en_es(dir.path / "pkgs");
  std::map<std::string, PromptImportStats> st;
  const auto utts = import_en_es(dir, {}, &st);  // by_id points into it: it must outlive the map
  auto m = clasp::test::by_id(utts);
  for (const char* id : {"asterisk.en.digits.1", "asterisk.en.letters.at", "asterisk.en.beep", "asterisk.en.silence.1",
                         "asterisk.en.not-recorded", "asterisk.en.spy-iax2", "asterisk.es.vacio", "asterisk.es.digits.0"})
    EXPECT_FALSE(m.count(id)) << id;
  EXPECT_EQ(st["en"].entries, 50u);
  EXPECT_EQ(st["en"].short_text, 3u);  // One. / at [@] / IAX (note ...)
  EXPECT_EQ(st["en"].non_speech, 2u);
  EXPECT_EQ(st["en"].missing_audio, std::vector<std::string>{"not-recorded"});
  EXPECT_EQ(st["en"].case_fixed, 1u);
  EXPECT_EQ(st["en"].kept, 44u);
  EXPECT_EQ(st["es"].no_text, 1u);
  EXPECT_EQ(st["es"].duplicate, 1u);

  PromptImportOptions keep;
  keep.keep_short = true;
  const auto kept = import_en_es(dir, keep);
  auto all = clasp::test::by_id(kept);
  EXPECT_TRUE(all.count("asterisk.en.digits.1"));
  EXPECT_EQ(all["asterisk.en.letters.at"]->text, "at");
  EXPECT_EQ(all["asterisk.es.digits.0"]->text, "cero");  // the first of a repeated name
  EXPECT_FALSE(all.count("asterisk.en.beep"));
}

TEST(ImportPrompts, SplitsFollowThePromptInEveryLanguageAndLinkToEnglish) {
  test::TempDir dir;
  fake_en_es(dir.path / "pkgs");
  auto utts = import_en_es(dir);
  auto m = clasp::test::by_id(utts);
  std::map<std::string, size_t> per_split;
  for (const auto& u : utts) {
    ++per_split[u.split];
    if (u.lang != "es") continue;
    const std::string en_id = "asterisk.en." + u.id.substr(std::string("asterisk.es.").size());
    if (u.doc == "solo-es") {
      EXPECT_EQ(u.source_id, "");  // no English prompt of that name
      continue;
    }
    EXPECT_EQ(u.source_id, en_id);
    ASSERT_TRUE(m.count(en_id));
    EXPECT_EQ(m[en_id]->split, u.split) << u.doc;
  }
  EXPECT_GT(per_split["train"], per_split["test"]);
  EXPECT_GT(per_split["test"], 0u);
  EXPECT_GT(per_split["validation"], 0u);
  // The same words under two names are one prompt for splitting.
  EXPECT_EQ(m["asterisk.en.thanks-a"]->split, m["asterisk.en.thanks-b"]->split);
}

TEST(ImportPrompts, TestSplitDoesNotMoveWithTheSeed) {
  test::TempDir dir;
  fake_en_es(dir.path / "pkgs");
  auto test_ids = [&](uint64_t seed, bool* val_moved, const std::vector<Utterance>* ref) {
    PromptImportOptions o;
    o.seed = seed;
    std::set<std::string> ids;
    auto utts = import_en_es(dir, o);
    for (size_t i = 0; i < utts.size(); ++i) {
      if (utts[i].split == "test") ids.insert(utts[i].id);
      if (ref && (*ref)[i].split != utts[i].split) *val_moved = true;
    }
    return std::pair{ids, utts};
  };
  bool moved = false;
  auto [a, ref] = test_ids(1, &moved, nullptr);
  auto [b, other] = test_ids(7, &moved, &ref);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(moved) << "the seed should reshuffle train and validation";
}

TEST(ImportPrompts, MalformedTranscriptLineIsNamed) {
  test::TempDir dir;
  fake_package(dir.path / "pkgs", "fr", "; French\nbonjour: Bonjour à tous.\nthis line has no name\n", {"bonjour"});
  const std::string root = dir / "pkgs";
  test::expect_error_naming([&] { import_prompts({asterisk_source(root, "fr")}, dir / "m.jsonl", {}, nullptr); },
                            "core-sounds-fr.txt:3: expected \"name: text\"");
  test::expect_error_naming([&] { asterisk_source(root, "it"); }, "fetch_real_speech.sh");
}
