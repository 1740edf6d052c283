#include <gtest/gtest.h>

#include <fstream>

#include "data/import_klettres.h"
#include "test_helpers.h"

using namespace clasp;
namespace fs = std::filesystem;

namespace {

// A klettres-data tree as scripts/fetch_klettres.sh leaves it: sounds.xml per
// language folder, Ogg/Vorbis (or WAV where Vorbis is not built in) clips.
void fake_language(const fs::path& root, const std::string& dir, const std::string& xml,
                   const std::vector<std::string>& files) {
  const fs::path data = root / "usr/share/klettres";
  fs::create_directories(data / dir);
  std::ofstream(data / dir / "sounds.xml") << xml;
  for (const auto& f : files) {
    fs::create_directories((data / f).parent_path());
    const auto x = test::sine(300, 0.4, 22050);
    if (!test::write_audio((data / f).string(), x, 22050, 1, SF_FORMAT_OGG | SF_FORMAT_VORBIS)) {
      ASSERT_TRUE(test::write_audio((data / f).string(), x, 22050, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
    }
  }
}

const char* kEnglish = R"(<!-- a comment with <sound name="X" file="en/alpha/X.ogg" /> in it -->
<klettres>
  <language code="en">
    <menuitem><label>&amp;English</label></menuitem>
    <alphabet>
	<sound name="A" file="en/alpha/A.ogg" />
	<sound   file="en/alpha/B.ogg"   name="B"/>
	<sound name="Z" file="en/alpha/Z.ogg" />
    </alphabet>
    <syllables>
	<sound name="CAR" file="en/syllab/car.ogg" />
	<sound name="A" file="en/syllab/a.ogg" />
	<sound name="R&amp;B" file="en/syllab/rb.ogg" />
    </syllables>
  </language>
</klettres>
)";

}  // namespace

TEST(ImportKlettres, ReadsLettersAndSyllables) {
  test::TempDir tmp;
  fake_language(tmp.path, "en", kEnglish,
                {"en/alpha/A.ogg", "en/alpha/B.ogg", "en/syllab/car.ogg", "en/syllab/a.ogg", "en/syllab/rb.ogg"});
  const auto sounds = read_klettres_sounds(tmp / "usr/share/klettres/en/sounds.xml");
  ASSERT_EQ(sounds.size(), 6u);  // the commented-out X is not one
  EXPECT_EQ(sounds[1].name, "B");
  EXPECT_EQ(sounds[1].file, "en/alpha/B.ogg");
  EXPECT_EQ(sounds[3].kind, "syllables");
  EXPECT_EQ(sounds[5].name, "R&B");

  std::vector<KlettresStats> stats;
  std::vector<std::string> absent;
  const auto utts = import_klettres(tmp.path.string(), {"en", "ca"}, tmp / "out/manifest.jsonl", &stats, &absent);
  const auto m = test::by_id(utts);
  ASSERT_EQ(utts.size(), 4u);  // Z has no audio, syllable "A" repeats letter "A"
  ASSERT_TRUE(m.count("klettres.en.letters.A"));
  ASSERT_TRUE(m.count("klettres.en.syllables.CAR"));
  ASSERT_TRUE(m.count("klettres.en.syllables.R&B"));
  const auto& a = *m.at("klettres.en.letters.A");
  EXPECT_EQ(a.text, "A");
  EXPECT_EQ(a.lang, "en");
  EXPECT_EQ(a.category, "klettres-letters");
  EXPECT_EQ(a.split, "test");
  EXPECT_EQ(a.engine, "human");
  EXPECT_EQ(a.voice, "klettres:en");
  EXPECT_EQ(a.audio, "../usr/share/klettres/en/alpha/A.ogg");
  EXPECT_NEAR(a.duration, 0.4, 0.01);
  EXPECT_EQ(m.at("klettres.en.syllables.CAR")->category, "klettres-syllables");
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].listed, 6u);
  EXPECT_EQ(stats[0].letters, 2u);
  EXPECT_EQ(stats[0].syllables, 2u);
  EXPECT_EQ(stats[0].duplicate, 1u);
  ASSERT_EQ(stats[0].missing_audio.size(), 1u);
  EXPECT_EQ(stats[0].missing_audio[0], "en/alpha/Z.ogg");
  EXPECT_EQ(absent, std::vector<std::string>{"ca"});
}

TEST(ImportKlettres, FiltersLanguagesByFolder) {
  test::TempDir tmp;
  fake_language(tmp.path, "en", kEnglish, {"en/alpha/A.ogg"});
  fake_language(tmp.path, "en_GB",
                "<klettres><language code=\"en_GB\"><alphabet><sound name=\"A\" file=\"en_GB/alpha/a.ogg\"/>"
                "</alphabet></language></klettres>",
                {"en_GB/alpha/a.ogg"});
  fake_language(tmp.path, "pt_BR",
                "<klettres><language code=\"pt_BR\"><alphabet><sound name=\"Ç\" file=\"pt_BR/alpha/c.ogg\"/>"
                "</alphabet></language></klettres>",
                {"pt_BR/alpha/c.ogg"});
  EXPECT_EQ(klettres_languages(tmp.path.string()), (std::vector<std::string>{"en", "en_GB", "pt_BR"}));
  EXPECT_EQ(klettres_lang("en_GB"), "en");
  EXPECT_EQ(klettres_lang("nds"), "nds");

  auto utts = import_klettres(tmp.path.string(), {"en"}, tmp / "m.jsonl", nullptr, nullptr);
  ASSERT_EQ(utts.size(), 1u);
  EXPECT_EQ(utts[0].id, "klettres.en.letters.A");

  utts = import_klettres(tmp.path.string(), {"pt_BR", "en_GB"}, tmp / "m.jsonl", nullptr, nullptr);
  ASSERT_EQ(utts.size(), 2u);
  EXPECT_EQ(utts[0].id, "klettres.pt_BR.letters.Ç");
  EXPECT_EQ(utts[0].lang, "pt");
  EXPECT_EQ(utts[0].text, "Ç");
  EXPECT_EQ(utts[1].voice, "klettres:en_GB");
  EXPECT_EQ(utts[1].lang, "en");
}

TEST(ImportKlettres, ErrorsNameTheFileAndLine) {
  test::TempDir tmp;
  fake_language(tmp.path, "fr",
                "<klettres>\n<language code=\"fr\">\n<alphabet>\n<sound name=\"A\" />\n</alphabet>\n</language>\n"
                "</klettres>\n",
                {});
  test::expect_error_naming([&] { read_klettres_sounds(tmp / "usr/share/klettres/fr/sounds.xml"); },
                            "fr/sounds.xml:4: <sound name=\"A\"> without a file attribute");
  fake_language(tmp.path, "it", "<klettres>\n<alphabet>\n<sound name=\"A\" file=\"it/alpha/a.ogg\"\n", {});
  test::expect_error_naming([&] { read_klettres_sounds(tmp / "usr/share/klettres/it/sounds.xml"); },
                            "it/sounds.xml:3: unterminated tag");
  fake_language(tmp.path, "de", "<foo><alphabet></alphabet></foo>", {});
  test::expect_error_naming([&] { read_klettres_sounds(tmp / "usr/share/klettres/de/sounds.xml"); },
                            "no <language> element");
  test::expect_error_naming([&] { import_klettres_language(tmp.path.string(), "xx", tmp.path.string(), nullptr); },
                            "no language folder \"xx\"");
  test::expect_error_naming([&] { klettres_languages(tmp / "nowhere"); }, "scripts/fetch_klettres.sh");
}
