#include "data/gettext_corpus.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "data/mo_catalog.h"
#include "util/error.h"
#include "util/text_clean.h"

namespace clasp {

namespace fs = std::filesystem;

namespace {

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) >= 0x80; }
bool is_alnum(char c) { return is_alpha(c) || std::isdigit(static_cast<unsigned char>(c)) != 0; }

std::vector<std::string> nonempty_lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string l; std::getline(in, l);) {
    l = plain_ui_message(l);
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

bool option_line(const std::string& s) { return !s.empty() && s[0] == '-'; }

}  // namespace

std::string plain_ui_message(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    char prev = out.empty() ? ' ' : out.back();
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    if (c == '&' && i + 1 < s.size() && s[i + 1] == '&') {  // Qt's escaped ampersand
      out += '&';
      ++i;
      continue;
    }
    // A mnemonic marker: before a letter, not inside a word (AT&T, snake_case) and
    // not an entity (&amp;), which the markup filter drops later.
    if ((c == '_' || c == '&') && i + 1 < s.size() && is_alpha(s[i + 1]) && !is_alnum(prev)) {
      size_t j = i + 1;
      while (j < s.size() && is_alnum(s[j])) ++j;
      bool entity = c == '&' && j < s.size() && s[j] == ';';
      bool identifier = c == '_' && j < s.size() && s[j] == '_';
      if (!entity && !identifier) continue;
    }
    out += c;
  }
  return collapse_spaces(out);
}

std::vector<std::pair<std::string, std::string>> message_units(const std::string& msgid, const std::string& msgstr,
                                                               size_t* options) {
  std::vector<std::pair<std::string, std::string>> units;
  auto en = nonempty_lines(msgid), xx = nonempty_lines(msgstr);
  if (en.empty() || xx.empty()) return units;
  if (en.size() > 1 && en.size() == xx.size()) {
    for (size_t i = 0; i < en.size(); ++i) {
      if (option_line(en[i]) || option_line(xx[i])) {
        if (options) ++*options;
        continue;
      }
      units.emplace_back(en[i], xx[i]);
    }
    return units;
  }
  std::string e = plain_ui_message(msgid), x = plain_ui_message(msgstr);
  if (option_line(e) || option_line(x)) {
    if (options) ++*options;
    return units;
  }
  units.emplace_back(e, x);
  return units;
}

ParallelCorpus build_gettext_corpus(const GettextCorpusOptions& opt) {
  if (opt.langs.empty()) throw Error("gettext corpus: no languages given");
  std::set<std::string> seen;
  for (const auto& l : opt.langs)
    if (l.empty() || l == "en" || !seen.insert(l).second)
      throw Error("gettext corpus: \"" + l + "\" is not a target language, or is given twice");
  if (!fs::is_directory(opt.dir))
    throw Error(opt.dir + ": no such folder of catalogs; run scripts/fetch_gettext.sh first");

  // Catalogs in a fixed order: package, then language, then domain.
  std::vector<fs::path> packages;
  for (const auto& p : fs::directory_iterator(opt.dir))
    if (p.is_directory()) packages.push_back(p.path());
  std::sort(packages.begin(), packages.end());

  ParallelCorpus corpus;
  corpus.split_key = "catalog";
  for (const auto& l : opt.langs) corpus.stats.push_back(ParallelLangStats{l});
  std::vector<SourcePair> kept;
  size_t catalogs = 0;
  for (const auto& pkg : packages)
    for (size_t li = 0; li < opt.langs.size(); ++li) {
      fs::path ldir = pkg / opt.langs[li];
      if (!fs::is_directory(ldir)) continue;
      std::vector<fs::path> files;
      for (const auto& f : fs::directory_iterator(ldir))
        if (f.path().extension() == ".mo") files.push_back(f.path());
      std::sort(files.begin(), files.end());
      auto& st = corpus.stats[li];
      for (const auto& f : files) {
        ++catalogs;
        auto cat = read_mo_file(f.string());
        std::string domain = f.stem().string();
        st.records += cat.entries.size();
        if (cat.charset != "utf-8" && cat.charset != "utf8") {
          st.dropped["charset"] += cat.entries.size();
          continue;
        }
        int pos = 0;
        for (const auto& e : cat.entries) {
          ++pos;
          if (e.forms.empty() || e.forms[0].empty()) continue;  // untranslated
          if (!e.msgid_plural.empty()) st.dropped["plural"] += e.forms.size() - 1;
          size_t options = 0;
          int part = 0;
          for (auto& [en, xx] : message_units(e.msgid, e.forms[0], &options)) {
            ++st.candidates;
            std::string why = pair_filter(en, xx, opt.langs[li], false, opt.filter);
            if (!why.empty()) {
              ++st.dropped[why];
              continue;
            }
            kept.push_back({domain, {}, pos * 64 + std::min(part++, 63), li, std::move(en), std::move(xx)});
          }
          st.candidates += options;
          st.dropped["option"] += options;
        }
      }
    }
  if (catalogs == 0)
    throw Error(opt.dir + ": no .mo catalogs under <package>/<lang>/ for the languages asked; run scripts/fetch_gettext.sh");
  assemble_parallel_corpus(
      std::move(kept), "gettext", opt.langs,
      [&](const std::string& domain) { return ddtp_split(domain, opt.seed, opt.validation, opt.test); }, corpus);
  return corpus;
}

}  // namespace clasp
