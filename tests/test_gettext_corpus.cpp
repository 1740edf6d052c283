// gettext catalogs: the .mo reader, message cleaning, and the corpus built
// from a folder of catalogs.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "data/gettext_corpus.h"
#include "data/mo_catalog.h"
#include "test_helpers.h"
#include "util/error.h"

using namespace clasp;

namespace {

// A little-endian .mo file with the given (msgid, msgstr) entries, as msgfmt
// writes it (no hash table). Strings may hold '\0' (plurals) and '\x04' (context).
std::string make_mo(const std::vector<std::pair<std::string, std::string>>& entries, bool big_endian = false) {
  auto u32 = [&](std::string& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>(big_endian ? (v >> (24 - 8 * i)) & 0xff : (v >> (8 * i)) & 0xff);
  };
  const uint32_t n = static_cast<uint32_t>(entries.size()), orig = 28, trans = orig + 8 * n;
  uint32_t data = trans + 8 * n;
  std::string head, tables_o, tables_t, strings;
  u32(head, 0x950412de);
  u32(head, 0);
  u32(head, n);
  u32(head, orig);
  u32(head, trans);
  u32(head, 0);
  u32(head, data);
  for (const auto& [id, str] : entries) {
    u32(tables_o, static_cast<uint32_t>(id.size()));
    u32(tables_o, data + static_cast<uint32_t>(strings.size()));
    strings += id + '\0';
  }
  for (const auto& [id, str] : entries) {
    u32(tables_t, static_cast<uint32_t>(str.size()));
    u32(tables_t, data + static_cast<uint32_t>(strings.size()));
    strings += str + '\0';
  }
  return head + tables_o + tables_t + strings;
}

const std::pair<std::string, std::string> kHeader = {"", "Content-Type: text/plain; charset=UTF-8\n"};

}  // namespace

TEST(MoCatalog, ReadsEntriesPluralsAndContextInBothByteOrders) {
  std::vector<std::pair<std::string, std::string>> e = {
      kHeader,
      {"Open the file", "Abrir el archivo"},
      {std::string("menu\x04Quit", 9), "Salir"},
      {std::string("one file\0%d files", 17), std::string("un archivo\0%d archivos", 22)}};
  for (bool be : {false, true}) {
    auto cat = parse_mo(make_mo(e, be), "t.mo");
    EXPECT_EQ(cat.charset, "utf-8");
    ASSERT_EQ(cat.entries.size(), 3u);
    EXPECT_EQ(cat.entries[0].msgid, "Open the file");
    EXPECT_EQ(cat.entries[0].forms, std::vector<std::string>{"Abrir el archivo"});
    EXPECT_EQ(cat.entries[1].context, "menu");
    EXPECT_EQ(cat.entries[1].msgid, "Quit");
    EXPECT_EQ(cat.entries[2].msgid, "one file");
    EXPECT_EQ(cat.entries[2].msgid_plural, "%d files");
    EXPECT_EQ(cat.entries[2].forms.size(), 2u);
  }
}

TEST(MoCatalog, DamagedFilesAreErrorsNamingTheFile) {
  std::string good = make_mo({kHeader, {"Open the file", "Abrir el archivo"}});
  EXPECT_THROW(parse_mo("short", "x.mo"), Error);
  std::string wrong_magic = good;
  wrong_magic[0] = 'X';
  try {
    parse_mo(wrong_magic, "x.mo");
    FAIL();
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("x.mo"), std::string::npos);
    EXPECT_NE(std::string(err.what()).find("magic"), std::string::npos);
  }
  EXPECT_THROW(parse_mo(good.substr(0, good.size() - 5), "x.mo"), Error);  // string past the end
  std::string huge_count = good;
  huge_count[8] = huge_count[9] = huge_count[10] = '\xff';
  EXPECT_THROW(parse_mo(huge_count, "x.mo"), Error);
  std::string no_nul = good;
  no_nul.back() = 'x';
  EXPECT_THROW(parse_mo(no_nul, "x.mo"), Error);
}

TEST(GettextCorpus, PlainMessagesAndUnits) {
  EXPECT_EQ(plain_ui_message("_Open the\nfile"), "Open the file");
  EXPECT_EQ(plain_ui_message("&Save all  changes"), "Save all changes");
  EXPECT_EQ(plain_ui_message("Fish && chips"), "Fish & chips");
  EXPECT_EQ(plain_ui_message("AT&T and snake_case stay"), "AT&T and snake_case stay");
  EXPECT_EQ(plain_ui_message("&amp; stays for the markup filter"), "&amp; stays for the markup filter");
  // Same line counts: line by line, command-line help left out.
  size_t options = 0;
  auto u = message_units("Copy the files.\n  -v, --verbose  explain\nThen stop.",
                         "Copia los archivos.\n  -v, --verbose  explica\nLuego para.", &options);
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].first, "Copy the files.");
  EXPECT_EQ(u[1].second, "Luego para.");
  EXPECT_EQ(options, 1u);
  // Different line counts: whole.
  u = message_units("One line\nand more", "Una sola línea");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].first, "One line and more");
}

TEST(GettextCorpus, BuildsDeduplicatedSplitByCatalog) {
  test::TempDir dir;
  auto put = [&](const std::string& pkg, const std::string& lang, const std::string& domain,
                 const std::vector<std::pair<std::string, std::string>>& e, const std::string& charset = "UTF-8") {
    std::filesystem::create_directories(dir / (pkg + "/" + lang));
    auto entries = e;
    entries.insert(entries.begin(), {"", "Content-Type: text/plain; charset=" + charset + "\n"});
    std::ofstream(dir / (pkg + "/" + lang + "/" + domain + ".mo"), std::ios::binary) << make_mo(entries);
  };
  put("editor", "es", "editor",
      {{"Open the file now", "Abrir el archivo ahora"},
       {"Save %s to disk", "Guardar %s en el disco"},          // placeholder: markup
       {"_Close the window", "_Cerrar la ventana"},            // mnemonic removed
       {"Not translated here", ""},                            // untranslated: skipped
       {"Close the window", "Cerrar la ventana"}});            // the same pair again: duplicate
  put("editor", "fr", "editor", {{"Open the file now", "Ouvrir le fichier maintenant"}});
  put("legacy", "es", "legacy", {{"An old catalog here", "Un catálogo viejo aquí"}}, "ISO-8859-1");
  GettextCorpusOptions opt;
  opt.dir = dir.path.string();
  opt.langs = {"es", "fr"};
  auto c = build_gettext_corpus(opt);
  ASSERT_EQ(c.stats.size(), 2u);
  EXPECT_EQ(c.stats[0].dropped["markup"], 1u);
  EXPECT_EQ(c.stats[0].dropped["duplicate"], 1u);
  EXPECT_EQ(c.stats[0].dropped["charset"], 1u);
  EXPECT_EQ(c.stats[0].kept, 2u);
  EXPECT_EQ(c.stats[1].kept, 1u);
  EXPECT_EQ(c.english, 2u);
  ASSERT_EQ(c.utts.size(), 5u);  // en, es, fr; en, es
  EXPECT_EQ(c.utts[0].id, "gettext.editor.1");
  EXPECT_EQ(c.utts[0].category, "gettext");
  EXPECT_EQ(c.utts[1].source_id, "gettext.editor.1");
  EXPECT_EQ(c.utts[2].lang, "fr");
  EXPECT_EQ(c.utts[3].text, "Close the window");
  for (const auto& u : c.utts) EXPECT_EQ(u.split, c.utts[0].split);  // one catalog, one split
  // No catalogs at all: a clear error.
  opt.dir = (dir / "missing");
  EXPECT_THROW(build_gettext_corpus(opt), Error);
}
