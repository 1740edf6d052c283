#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "data/manifest.h"
#include "data/parallel_corpus.h"
#include "test_helpers.h"
#include "text/parallel_pairs.h"

using namespace clasp;
namespace fs = std::filesystem;

namespace {

// A fake Description-md5: 32 lower-case hex digits.
std::string md5(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%032x", n);
  return buf;
}

// One index record; `desc` is the field's text with its continuation lines
// already prefixed by a space, as in the real files.
std::string record(const std::string& pkg, int sum, const std::string& lang, const std::string& desc) {
  return "Package: " + pkg + "\nDescription-md5: " + md5(sum) + "\nDescription-" + lang + ": " + desc + "\n\n";
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

ParallelCorpusOptions options(const test::TempDir& dir, std::vector<std::string> langs) {
  ParallelCorpusOptions o;
  o.ddtp_dir = dir.path.string();
  o.langs = std::move(langs);
  return o;
}

const ParallelLangStats& stats_of(const ParallelCorpus& c, const std::string& lang) {
  for (const auto& s : c.stats)
    if (s.lang == lang) return s;
  throw std::runtime_error("no stats for " + lang);
}

size_t dropped(const ParallelLangStats& s, const std::string& why) {
  auto it = s.dropped.find(why);
  return it == s.dropped.end() ? 0 : it->second;
}

}  // namespace

// ---------------------------------------------------------------- the index format

TEST(DdtpIndex, ParsesRecordsAndContinuationLines) {
  std::string text = record("0ad", 1, "fr", "jeu de stratégie\n Premier paragraphe.\n .\n Second.") +
                     "Package: hello\nDescription-md5: " + md5(2) + "\nX-Unknown: ignored\n continued\n"
                     "Description-fr: salut\n";  // the last record needs no blank line after it
  auto recs = parse_ddtp_index(text, "fr", "Translation-fr");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].package, "0ad");
  EXPECT_EQ(recs[0].md5, md5(1));
  EXPECT_EQ(recs[0].description, "jeu de stratégie\nPremier paragraphe.\n.\nSecond.");
  EXPECT_EQ(recs[0].line, 1);
  EXPECT_EQ(recs[1].package, "hello");
  EXPECT_EQ(recs[1].description, "salut");
  EXPECT_EQ(recs[1].line, 8);
}

TEST(DdtpIndex, MalformedRecordsAreClearErrors) {
  auto bad = [](const std::string& text, const std::string& needle) {
    test::expect_error_naming([&] { parse_ddtp_index(text, "fr", "Translation-fr"); }, needle);
  };
  bad(" orphan continuation\n", "Translation-fr:1: continuation line with no field before it");
  bad("Package: a\nDescription-fr: x\n", "Translation-fr:1: record ending at line 2 has no Description-md5 field");
  bad("Description-md5: " + md5(1) + "\nDescription-fr: x\n", "has no Package field");
  bad("Package: a\nDescription-md5: " + md5(1) + "\nDescription-de: x\n",
      "has no Description-fr field (it has Description-de: is this the index of another language?)");
  bad("Package: a\nthis is not a field\n", "Translation-fr:2: expected \"Field: value\"");
  bad("Package: a\nPackage: b\n", "Translation-fr:2: field Package given twice");
  bad("Package: a\nDescription-md5: XYZ\nDescription-fr: x\n", "Description-md5 \"XYZ\" is not 32 lower-case hex");
  bad(record("a", 1, "fr", "ok") + record("b", 2, "fr", "bad \xC3\x28 byte"), "Translation-fr:7: invalid UTF-8");
}

// ---------------------------------------------------------------- cutting descriptions

TEST(DdtpDescription, ParagraphsSentencesAndLists) {
  auto d = split_description(
      "short  text\n"
      "First sentence here. Second one, e.g. with an abbreviation! Third (J. Smith) ends\n"
      "on the next line? Yes.\n"
      ".\n"
      "Features:\n"
      "  * item one,\n"
      "    continued\n"
      "  * item two\n"
      "\xE2\x80\x94\xC2\xA0" "dash item after a no-break space\n"
      ".\n"
      "This is a choice between a\n"
      "o wrapped line and nothing.");
  EXPECT_EQ(d.short_text, "short text");
  ASSERT_EQ(d.paragraphs.size(), 3u);
  EXPECT_EQ(d.paragraphs[0],
            (std::vector<std::string>{"First sentence here.", "Second one, e.g. with an abbreviation!",
                                      "Third (J. Smith) ends on the next line?", "Yes."}));
  EXPECT_EQ(d.paragraphs[1], (std::vector<std::string>{"Features:", "item one, continued", "item two",
                                                       "dash item after a no-break space"}));
  // "o " at the margin is a word, not a bullet.
  EXPECT_EQ(d.paragraphs[2], (std::vector<std::string>{"This is a choice between a o wrapped line and nothing."}));
}

TEST(DdtpDescription, SentenceSplitterKeepsAbbreviationsAndNumbers) {
  EXPECT_EQ(split_sentences("It runs on v2.0 and later. See also z.B. Foo. Mr. Smith agrees."),
            (std::vector<std::string>{"It runs on v2.0 and later.", "See also z.B. Foo.", "Mr. Smith agrees."}));
  EXPECT_EQ(split_sentences("Il dit « oui ». Puis « Non. » Fin"),
            (std::vector<std::string>{"Il dit « oui ».", "Puis « Non. » Fin"}));
  EXPECT_EQ(split_sentences("¿Qué es? ¡Un programa! Sí."),
            (std::vector<std::string>{"¿Qué es?", "¡Un programa!", "Sí."}));
  EXPECT_EQ(split_sentences("lower. case does not start a sentence"),
            (std::vector<std::string>{"lower. case does not start a sentence"}));
}

// ---------------------------------------------------------------- pairing

TEST(DdtpPairing, SentencesWhenCountsMatchElseWholeParagraph) {
  auto en = split_description(
      "tool for testing things\n"
      "The tool tests many things. It is fast and small.\n"
      ".\n"
      "This paragraph has two sentences. The translation merges them.");
  auto fr = split_description(
      "outil pour tester des choses\n"
      "L'outil teste beaucoup de choses. Il est rapide et petit.\n"
      ".\n"
      "Ce paragraphe a deux phrases, que la traduction fusionne.");
  PairingStats st;
  auto pairs = pair_descriptions(en, fr, {}, &st);
  ASSERT_EQ(pairs.size(), 4u);
  EXPECT_TRUE(pairs[0].short_desc);
  EXPECT_EQ(pairs[0].xx, "outil pour tester des choses");
  EXPECT_EQ(pairs[1].en, "The tool tests many things.");
  EXPECT_EQ(pairs[1].xx, "L'outil teste beaucoup de choses.");
  EXPECT_EQ(pairs[2].en, "It is fast and small.");
  EXPECT_EQ(pairs[2].xx, "Il est rapide et petit.");
  EXPECT_TRUE(pairs[3].whole_paragraph);
  EXPECT_EQ(pairs[3].en, "This paragraph has two sentences. The translation merges them.");
  EXPECT_EQ(pairs[3].xx, "Ce paragraphe a deux phrases, que la traduction fusionne.");
  EXPECT_EQ(st.paragraphs_paired, 2u);
  EXPECT_EQ(st.sentence_pairs, 1u);
  EXPECT_EQ(st.whole_paragraphs, 1u);
  EXPECT_EQ(pairs[1].en_pos, 1);
  EXPECT_EQ(pairs[2].en_pos, 2);
  EXPECT_EQ(pairs[3].en_pos, 3);
}

TEST(DdtpPairing, ParagraphCountMismatchKeepsOnlyTheShortDescription) {
  auto en = split_description("short one\nFirst paragraph here.\n.\nSecond paragraph here.");
  auto fr = split_description("court\nUn seul paragraphe ici.");
  PairingStats st;
  auto pairs = pair_descriptions(en, fr, {}, &st);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_TRUE(pairs[0].short_desc);
  EXPECT_EQ(st.paragraph_mismatch, 1u);
}

TEST(DdtpPairing, EqualCountsButShiftedSentencesStayWhole) {
  // Two sentences each, but the translation splits them elsewhere: the
  // length ratio of a sentence pair gives the shift away.
  auto en = split_description(
      "x\nThis is a rather long first sentence with plenty of words in it. Short second.");
  auto fr = split_description(
      "x\nCourt. Voici une seconde phrase assez longue avec beaucoup de mots dedans et encore plus.");
  PairingStats st;
  auto pairs = pair_descriptions(en, fr, {}, &st);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_TRUE(pairs[1].whole_paragraph);
  EXPECT_EQ(st.misaligned, 1u);
  // Numbers that move between sentences give it away too.
  en = split_description("x\nIt supports 3 formats and more. It has 12 options.");
  fr = split_description("x\nIl gère 12 options et plus. Il a 3 formats.");
  pairs = pair_descriptions(en, fr, {}, &st);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_TRUE(pairs[1].whole_paragraph);
  EXPECT_EQ(st.misaligned, 2u);
}

// ---------------------------------------------------------------- filters

TEST(DdtpFilter, EachReason) {
  ParallelFilterOptions o;
  auto why = [&](const std::string& en, const std::string& xx, bool short_desc = false,
                 const std::string& lang = "fr") { return pair_filter(en, xx, lang, short_desc, o); };
  EXPECT_EQ(why("This package contains the library.", "Ce paquet contient la bibliothèque."), "");
  EXPECT_EQ(why("Print %s to the screen now.", "Affiche %s à l'écran maintenant."), "markup");
  EXPECT_EQ(why("Shows %d files in the list.", "Affiche %d fichiers dans la liste."), "markup");
  EXPECT_EQ(why("Open the &File menu first.", "Ouvrir d'abord le menu &Fichier."), "markup");
  EXPECT_EQ(why("Use the <b>bold</b> text here.", "Utilisez le texte <b>gras</b> ici."), "markup");
  EXPECT_EQ(why("See http://example.org for more.", "Voir http://example.org pour plus."), "markup");
  EXPECT_EQ(why("Mail bugs to someone@example.org please.", "Envoyez à someone@example.org svp."), "markup");
  EXPECT_EQ(why("AT&T and R&D are fine with 100% sure.", "AT&T et R&D sont corrects, 100% sûr."), "");
  EXPECT_EQ(why("1.2.3 4.5.6 7.8.9 -- ab", "1.2.3 4.5.6 7.8.9 -- ab"), "nonletter");
  EXPECT_EQ(why("Two words", "Deux mots"), "short");
  EXPECT_EQ(why("Two words", "Deux mots", true), "");  // a short description may have two
  EXPECT_EQ(why("One", "Un", true), "short");
  std::string many;
  for (int i = 0; i < 61; ++i) many += "word ";
  EXPECT_EQ(why(many, many + "x"), "long");
  EXPECT_EQ(why("This sentence was not translated.", "This sentence was  NOT translated."), "identical");
  EXPECT_EQ(why("A fairly long English sentence here.", "Une phrase."), "ratio");
  EXPECT_EQ(why("Short one here.", "Une traduction beaucoup trop longue pour cette phrase."), "ratio");
  EXPECT_EQ(why("A text in another script.", "\xD0\xA2\xD0\xB5\xD0\xBA\xD1\x81\xD1\x82 \xD0\xB2 "
                                            "\xD0\xB4\xD1\x80\xD1\x83\xD0\xB3\xD0\xBE\xD0\xB9 script."),
            "script");
  // The script check is for Latin-script languages only.
  EXPECT_EQ(why("A text in another script.", "\xD0\xA2\xD0\xB5\xD0\xBA\xD1\x81\xD1\x82 \xD0\xB2 "
                                            "\xD0\xB4\xD1\x80\xD1\x83\xD0\xB3\xD0\xBE\xD0\xB9 script.",
                false, "ru"),
            "");
  EXPECT_EQ(why("It supports 3 formats and more.", "Il gère 4 formats et plus."), "numbers");
  EXPECT_EQ(count_words("a -- b, c! ..."), 3);
}

// ---------------------------------------------------------------- the corpus

TEST(DdtpCorpus, AlignsByChecksumDeduplicatesAndLinksTranslations) {
  test::TempDir dir;
  const std::string shared_en = "multi-purpose widget frobnicator\n The widget frobnicates all the things.";
  write(dir / "Translation-en",
        record("alpha", 1, "en", shared_en) +
        record("beta", 2, "en", "another useful tool\n It does useful work for you.\n .\n It is free software.") +
        record("gamma", 3, "en", shared_en) +  // the same description again, another package
        record("delta", 4, "en", "delta tool for things\n Delta works on things.") +
        record("web", 5, "en", "web page helper\n See http://example.org for details."));
  write(dir / "Translation-fr",
        record("alpha", 1, "fr", "frobnicateur de widgets polyvalent\n Le widget frobnique toutes les choses.") +
        record("beta", 2, "fr",
               "un autre outil utile\n Il fait du travail utile pour vous.\n .\n C'est un logiciel libre.") +
        record("gamma", 3, "fr", "frobnicateur de widgets polyvalent\n Le widget frobnique toutes les choses.") +
        record("delta", 99, "fr", "outil delta\n Une traduction périmée.") +          // stale md5
        record("delta-renamed", 4, "fr", "outil delta pour choses\n Delta travaille sur des choses.") +
        record("web", 5, "fr", "aide pour pages web\n Voir http://example.org pour les détails."));
  write(dir / "Translation-es",
        record("alpha", 1, "es", "frobnicador de widgets polivalente\n El widget frobnica todas las cosas."));

  auto c = build_ddtp_corpus(options(dir, {"fr", "es"}));
  const auto& fr = stats_of(c, "fr");
  EXPECT_EQ(fr.records, 6u);
  EXPECT_EQ(fr.aligned, 5u);
  EXPECT_EQ(fr.unaligned, 1u);      // delta's md5 99 is not in Translation-en
  EXPECT_EQ(fr.other_package, 1u);  // delta-renamed: md5 4 belongs to delta
  EXPECT_EQ(dropped(fr, "duplicate"), 2u);  // gamma repeats alpha's two pairs
  EXPECT_EQ(dropped(fr, "markup"), 1u);     // the URL sentence
  EXPECT_EQ(c.split_key, "package");        // no package-source.tsv

  auto ids = clasp::test::by_id(c.utts);
  ASSERT_TRUE(ids.count("ddtp.alpha.1"));
  const Utterance& en = *ids["ddtp.alpha.1"];
  EXPECT_EQ(en.text, "multi-purpose widget frobnicator");
  EXPECT_EQ(en.lang, "en");
  EXPECT_EQ(en.category, "ddtp");
  EXPECT_EQ(en.doc, "alpha");
  EXPECT_TRUE(en.source_id.empty());
  ASSERT_TRUE(ids.count("ddtp.alpha.1.fr") && ids.count("ddtp.alpha.1.es"));
  EXPECT_EQ(ids["ddtp.alpha.1.fr"]->source_id, "ddtp.alpha.1");
  EXPECT_EQ(ids["ddtp.alpha.1.fr"]->text, "frobnicateur de widgets polyvalent");
  EXPECT_EQ(ids["ddtp.alpha.1.es"]->lang, "es");
  EXPECT_EQ(ids["ddtp.alpha.1.es"]->split, en.split);
  EXPECT_FALSE(ids.count("ddtp.gamma.1"));  // gamma's sentences are alpha's
  EXPECT_TRUE(ids.count("ddtp.beta.3.fr"));  // short description + two one-sentence paragraphs
  EXPECT_EQ(ids["ddtp.beta.3"]->text, "It is free software.");
  // Aligned by md5 with delta's English, filed under the translation's package.
  ASSERT_TRUE(ids.count("ddtp.delta-renamed.1.fr"));
  EXPECT_EQ(ids["ddtp.delta-renamed.1"]->text, "delta tool for things");
  EXPECT_EQ(ids["ddtp.delta-renamed.1.fr"]->text, "outil delta pour choses");
  EXPECT_EQ(ids["ddtp.web.1"]->text, "web page helper");
  EXPECT_FALSE(ids.count("ddtp.web.2"));

  // English sentences shared by languages: one utterance with both translations.
  size_t english = 0;
  for (const auto& u : c.utts) english += u.lang == "en";
  EXPECT_EQ(english, c.english);
  EXPECT_EQ(english, 2u + 3u + 2u + 1u);  // alpha, beta, delta, web's short description

  // What `clasp text train / eval` read: parallel_groups after a round trip.
  write_manifest(dir / "ddtp.jsonl", c.utts);
  auto back = read_manifest(dir / "ddtp.jsonl");
  auto groups = parallel_groups(back, "");
  ASSERT_EQ(groups.size(), english);
  for (const auto& g : groups)
    if (g.id == "ddtp.alpha.2") {
      EXPECT_EQ(g.english, "The widget frobnicates all the things.");
      EXPECT_EQ(g.translations.at("fr"), "Le widget frobnique toutes les choses.");
      EXPECT_EQ(g.translations.at("es"), "El widget frobnica todas las cosas.");
    }
}

TEST(DdtpCorpus, OneTargetPerEnglishAndOneEnglishPerTarget) {
  test::TempDir dir;
  write(dir / "Translation-en", record("aa", 1, "en", "the first useful program") +
                                    record("bb", 2, "en", "the first useful program\n Something else entirely here.") +
                                    record("cc", 3, "en", "a first useful program"));
  write(dir / "Translation-fr", record("aa", 1, "fr", "le premier programme utile") +
                                    record("bb", 2, "fr", "un premier programme utile\n Tout autre chose ici.") +
                                    record("cc", 3, "fr", "le premier programme utile"));
  auto c = build_ddtp_corpus(options(dir, {"fr"}));
  const auto& fr = stats_of(c, "fr");
  EXPECT_EQ(dropped(fr, "variant"), 1u);     // bb: another translation of aa's English
  EXPECT_EQ(dropped(fr, "dup_target"), 1u);  // cc: aa's translation for other English
  auto ids = clasp::test::by_id(c.utts);
  EXPECT_EQ(ids["ddtp.aa.1.fr"]->text, "le premier programme utile");
  EXPECT_EQ(ids["ddtp.bb.1"]->text, "Something else entirely here.");
  EXPECT_FALSE(ids.count("ddtp.cc.1"));
}

TEST(DdtpCorpus, SplitsByPackageTheSameInEveryLanguage) {
  test::TempDir dir;
  std::string en, fr, es, sources;
  for (int i = 0; i < 200; ++i) {
    std::string p = "pkg" + std::to_string(i), n = std::to_string(i);
    en += record(p, i, "en", "program number " + n + " for work\n It reads file " + n + " quickly.\n .\n"
                             " It writes file " + n + " slowly.");
    fr += record(p, i, "fr", "programme numéro " + n + " pour travailler\n Il lit le fichier " + n +
                             " rapidement.\n .\n Il écrit le fichier " + n + " lentement.");
    es += record(p, i, "es", "programa número " + n + " para trabajar\n Lee el archivo " + n +
                             " rápidamente.\n .\n Escribe el archivo " + n + " lentamente.");
    // pkgN-doc: another binary of source srcN.
    en += record(p + "-doc", 1000 + i, "en", "documentation for program " + n);
    fr += record(p + "-doc", 1000 + i, "fr", "documentation du programme " + n);
    sources += p + "\tsrc" + n + "\n" + p + "-doc\tsrc" + n + "\n";
  }
  write(dir / "Translation-en", en);
  write(dir / "Translation-fr", fr);
  write(dir / "Translation-es", es);
  auto opt = options(dir, {"fr", "es"});
  opt.validation = 0.2;
  opt.test = 0.2;

  auto check = [&](const ParallelCorpus& c, bool by_source) {
    std::map<std::string, std::set<std::string>> per_key;  // split key -> splits seen
    std::map<std::string, size_t> n;
    for (const auto& u : c.utts) {
      std::string key = u.doc;
      if (by_source) key = "src" + key.substr(3, key.find('-') == std::string::npos ? std::string::npos
                                                                                       : key.find('-') - 3);
      per_key[key].insert(u.split);
      ++n[u.split];
      EXPECT_EQ(u.split, ddtp_split(by_source ? key : u.doc, opt.seed, opt.validation, opt.test)) << u.id;
    }
    for (const auto& [k, s] : per_key) EXPECT_EQ(s.size(), 1u) << k << " is in several splits";
    EXPECT_GT(n["train"], n["test"]);
    EXPECT_GT(n["test"], 0u);
    EXPECT_GT(n["validation"], 0u);
    size_t fr_total = 0;
    for (const auto& [sp, k] : stats_of(c, "fr").per_split) fr_total += k;
    EXPECT_EQ(fr_total, stats_of(c, "fr").kept);
  };
  auto by_package = build_ddtp_corpus(opt);
  EXPECT_EQ(by_package.split_key, "package");
  check(by_package, false);
  // Same seed, same splits; another seed moves packages.
  auto again = build_ddtp_corpus(opt);
  ASSERT_EQ(again.utts.size(), by_package.utts.size());
  for (size_t i = 0; i < again.utts.size(); ++i) EXPECT_EQ(again.utts[i].split, by_package.utts[i].split);
  opt.seed = 2;
  auto other = build_ddtp_corpus(opt);
  size_t moved = 0;
  for (size_t i = 0; i < other.utts.size(); ++i) moved += other.utts[i].split != by_package.utts[i].split;
  EXPECT_GT(moved, 0u);
  opt.seed = 1;

  // With package-source.tsv, a source's binaries share a split.
  write(dir / "package-source.tsv", sources);
  auto by_source = build_ddtp_corpus(opt);
  EXPECT_EQ(by_source.split_key, "source");
  check(by_source, true);
  opt.split_by_source = false;
  EXPECT_EQ(build_ddtp_corpus(opt).split_key, "package");
}

TEST(DdtpCorpus, MissingIndexNamesTheFetchScript) {
  test::TempDir dir;
  write(dir / "Translation-en", record("a", 1, "en", "x"));
  test::expect_error_naming([&] { build_ddtp_corpus(options(dir, {"fr"})); },
                            "Translation-fr: not found; fetch the DDTP indexes with scripts/fetch_parallel_text.sh");
  test::expect_error_naming([&] { build_ddtp_corpus(options(dir, {"fr", "fr"})); }, "given twice");
  write(dir / "Translation-fr", "Package: a\nDescription-fr: x\n");
  test::expect_error_naming([&] { build_ddtp_corpus(options(dir, {"fr"})); },
                            "Translation-fr:1: record ending at line 2 has no Description-md5 field");
}
