#include "data/parallel_corpus.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/text_clean.h"
#include "util/utf8.h"

namespace clasp {

namespace fs = std::filesystem;

namespace {

// No-break, thin and figure spaces -> ' ' (French typography puts U+00A0 and
// U+202F before ':' ';' '!' '?' and inside guillemets, and after list dashes),
// and U+22C5 DOT OPERATOR, which the DDTSS web form shows for a no-break space
// and some translations hold instead of one.
std::string plain_spaces(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "\xC2\xA0") == 0) {
      out += ' ';
      ++i;
    } else if (s.compare(i, 3, "\xE2\x80\xAF") == 0 || s.compare(i, 3, "\xE2\x80\x89") == 0 ||
               s.compare(i, 3, "\xE2\x80\x87") == 0 || s.compare(i, 3, "\xE2\x80\x88") == 0 ||
               s.compare(i, 3, "\xE2\x8B\x85") == 0) {
      out += ' ';
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}


bool is_latin_letter(char32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == 0xAA || c == 0xBA ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x1E00 && c <= 0x1EFF) ||
         (c >= 0x2C60 && c <= 0x2C7F) || (c >= 0xA720 && c <= 0xA7FF) || (c >= 0xFB00 && c <= 0xFB06);
}

// Letters of the scripts a description may hold (enough to tell letters
// from digits, punctuation and symbols, and Latin from the rest).
bool is_letter(char32_t c) {
  if (is_latin_letter(c)) return true;
  return c == 0xB5 || (c >= 0x250 && c <= 0x2AF) ||                      // IPA
         (c >= 0x370 && c <= 0x3FF && c != 0x37E && c != 0x387) ||         // Greek
         (c >= 0x400 && c <= 0x52F && !(c >= 0x482 && c <= 0x489)) ||      // Cyrillic
         (c >= 0x531 && c <= 0x587) || (c >= 0x5D0 && c <= 0x5EA) ||       // Armenian, Hebrew
         (c >= 0x620 && c <= 0x64A) || (c >= 0x671 && c <= 0x6D3) ||       // Arabic
         (c >= 0x900 && c <= 0xDFF) || (c >= 0xE01 && c <= 0xE30) ||       // Indic, Thai
         (c >= 0x10A0 && c <= 0x10FF) || (c >= 0x1F00 && c <= 0x1FFF) ||   // Georgian, Greek ext.
         (c >= 0x3041 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x9FFF) ||   // kana, CJK
         (c >= 0xAC00 && c <= 0xD7AF);                                     // Hangul
}

bool is_space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == 0xA0 || c == 0x202F; }

// Upper-case ASCII or Latin-1 letter, at byte i of s.
bool upper_at(const std::string& s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c >= 'A' && c <= 'Z') return true;
  if (c == 0xC3 && i + 1 < s.size()) {
    unsigned char d = static_cast<unsigned char>(s[i + 1]);
    return d >= 0x80 && d <= 0x9E && d != 0x97;  // U+00C0..U+00DE without U+00D7
  }
  return false;
}

bool starts_with_at(const std::string& s, size_t i, std::string_view p) { return s.compare(i, p.size(), p) == 0; }

// Byte length of a closing quote or bracket at i (0 if none).
size_t closer_at(const std::string& s, size_t i) {
  static const std::vector<std::string_view> closers = {"\"", "'", ")", "]", "\xC2\xBB", "\xE2\x80\x9D", "\xE2\x80\x99"};
  for (auto c : closers)
    if (starts_with_at(s, i, c)) return c.size();
  return 0;
}

// Can a sentence start at byte i?
bool sentence_start_at(const std::string& s, size_t i) {
  if (i >= s.size()) return false;
  if (upper_at(s, i) || std::isdigit(static_cast<unsigned char>(s[i]))) return true;
  static const std::vector<std::string_view> openers = {"\"", "'", "(", "[", "\xC2\xAB", "\xE2\x80\x9C",
                                                        "\xE2\x80\x98", "\xC2\xBF", "\xC2\xA1"};
  for (auto o : openers)
    if (starts_with_at(s, i, o)) return i + o.size() < s.size() && (upper_at(s, i + o.size()) ||
                                                                    std::isdigit(static_cast<unsigned char>(s[i + o.size()])));
  return false;
}

// Is the word ending just before the '.' at byte `dot` an abbreviation?
bool abbreviation_before(const std::string& s, size_t dot) {
  size_t b = dot;
  while (b > 0 && s[b - 1] != ' ') --b;
  std::string w = s.substr(b, dot - b);
  while (!w.empty() && (w[0] == '(' || w[0] == '"' || w[0] == '\'' || w[0] == '[')) w.erase(0, 1);
  if (w.empty()) return false;
  // Initials and dotted abbreviations: every dot-separated part 1-2 letters.
  bool dotted = true;
  std::stringstream in(w);
  std::string part;
  while (std::getline(in, part, '.')) {
    if (part.empty() || part.size() > 2 ||
        !std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isalpha(c); }))
      dotted = false;
  }
  if (dotted && (w.size() == 1 || w.find('.') != std::string::npos)) return true;
  static const std::set<std::string> abbrev = {
      "mr", "mrs", "ms", "dr", "st", "vs", "no", "nr", "bzw", "ca", "approx", "incl", "inc", "ltd", "co",
      "corp", "jr", "sr", "sra", "prof", "dipl", "vol", "cf", "fig", "pp", "ver", "esp", "resp", "sig", "ggf",
      "evtl", "vgl", "ex", "mme", "mlle", "sp", "ud", "uds"};
  return abbrev.count(lower_ascii(w)) > 0;
}

bool is_bullet_line(const std::string& t, size_t* marker_len) {
  static const std::vector<std::string_view> bullets = {"* ", "- ", "+ ", "o ", "\xE2\x80\xA2 ", "\xC2\xB7 ",
                                                        "\xE2\x80\x93 ", "\xE2\x80\x94 "};
  for (auto b : bullets)
    if (starts_with_at(t, 0, b)) {
      *marker_len = b.size();
      return true;
    }
  // "1. ", "2) ", "a) "
  size_t i = 0;
  while (i < t.size() && i < 3 && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  if (i == 0 && t.size() > 1 && std::islower(static_cast<unsigned char>(t[0])) && t[1] == ')') i = 1;
  if (i > 0 && i + 1 < t.size() && (t[i] == '.' || t[i] == ')') && t[i + 1] == ' ') {
    *marker_len = i + 2;
    return true;
  }
  return false;
}

bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool has_markup(const std::string& s) {
  std::string l = lower_ascii(s);
  if (l.find("://") != std::string::npos || l.find("www.") != std::string::npos) return true;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    char prev = i ? s[i - 1] : ' ';
    if (c == '%' && i + 1 < s.size()) {
      // printf conversions (%s, %d, %-10.3lf, %1$s) and Qt-style %1.
      size_t j = i + 1;
      while (j < s.size() && digit(s[j])) ++j;
      bool positional = j > i + 1;
      if (j < s.size() && s[j] == '$') ++j;
      while (j < s.size() && std::string_view("-+ #0").find(s[j]) != std::string_view::npos && j < i + 4) ++j;
      while (j < s.size() && (digit(s[j]) || s[j] == '.')) ++j;
      while (j < s.size() && (s[j] == 'l' || s[j] == 'h' || s[j] == 'z')) ++j;
      if (j < s.size() && std::string_view("sdiufxXcpgeE").find(s[j]) != std::string_view::npos &&
          (j + 1 == s.size() || !alpha(s[j + 1])) && s[i + 1] != ' ')
        return true;
      if (positional && !digit(prev) && (j == s.size() || !alnum(s[j]))) return true;
    }
    if (c == '&' && i + 1 < s.size() && alpha(s[i + 1])) {
      size_t j = i + 1;
      while (j < s.size() && alnum(s[j])) ++j;
      if (j < s.size() && s[j] == ';') return true;  // &amp; &lt;
      if (!alnum(prev)) return true;                 // &File (not AT&T)
    }
    if (c == '<' && i + 1 < s.size() && (alpha(s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!') &&
        s.find('>', i + 1) != std::string::npos)
      return true;
    if (c == '{' && i + 1 < s.size()) {
      size_t j = i + 1;
      while (j < s.size() && (alnum(s[j]) || s[j] == '_')) ++j;
      if (j > i + 1 && j < s.size() && s[j] == '}') return true;  // {0} {name}
    }
    if (c == '@' && alnum(prev) && i + 1 < s.size() && alnum(s[i + 1])) return true;  // e-mail address
  }
  return false;
}

// Share of letters among non-space characters, and of Latin among letters.
struct LetterCounts {
  size_t chars = 0, letters = 0, latin = 0, non_space = 0;
};
LetterCounts letter_counts(const std::string& s) {
  LetterCounts n;
  for (char32_t c : utf8_code_points(s)) {
    ++n.chars;
    if (is_space(c)) continue;
    ++n.non_space;
    if (is_letter(c)) {
      ++n.letters;
      n.latin += is_latin_letter(c);
    }
  }
  return n;
}

std::set<std::string> digit_runs(const std::string& s) {
  std::set<std::string> out;
  for (size_t i = 0; i < s.size();) {
    if (!digit(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && digit(s[j])) ++j;
    out.insert(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool latin_language(const std::string& lang) {
  static const std::set<std::string> latin = {"es", "fr", "it", "de", "pt", "ca", "gl", "eo", "nl", "en"};
  return latin.count(lang) > 0;
}

std::string line_of(const std::string& text, size_t byte) {
  return std::to_string(std::count(text.begin(), text.begin() + static_cast<long>(byte), '\n') + 1);
}

}  // namespace

// ---------------------------------------------------------------- parsing

std::vector<DdtpRecord> parse_ddtp_index(const std::string& text, const std::string& lang, const std::string& where) {
  size_t bad = find_invalid_utf8(text);
  if (bad != std::string::npos)
    throw Error(where + ":" + line_of(text, bad) + ": invalid UTF-8 at byte " + std::to_string(bad));
  const std::string desc_field = "Description-" + lang;
  std::vector<DdtpRecord> out;
  DdtpRecord cur;
  std::set<std::string> fields;
  std::string field;          // field the continuation lines belong to
  std::string other_desc;     // a Description-<other> field, for the error message
  bool have_desc = false;
  int lineno = 0;
  auto finish = [&](int at) {
    if (fields.empty()) return;
    auto need = [&](bool ok, const std::string& what) {
      if (!ok)
        throw Error(where + ":" + std::to_string(cur.line) + ": record ending at line " + std::to_string(at) +
                    " has no " + what);
    };
    need(!cur.package.empty(), "Package field");
    need(!cur.md5.empty(), "Description-md5 field");
    need(have_desc, desc_field + " field" + (other_desc.empty() ? "" : " (it has " + other_desc +
                                                                          ": is this the index of another language?)"));
    if (cur.md5.size() != 32 || !std::all_of(cur.md5.begin(), cur.md5.end(), [](unsigned char c) {
          return std::isxdigit(c) && !std::isupper(c);
        }))
      throw Error(where + ":" + std::to_string(cur.line) + ": Description-md5 \"" + cur.md5 +
                  "\" is not 32 lower-case hex digits");
    out.push_back(std::move(cur));
    cur = DdtpRecord{};
    fields.clear();
    field.clear();
    other_desc.clear();
    have_desc = false;
  };
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim_space(line).empty()) {
      finish(lineno - 1);
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (field.empty())
        throw Error(where + ":" + std::to_string(lineno) + ": continuation line with no field before it");
      if (field == desc_field) cur.description += "\n" + line.substr(1);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || line.find(' ') < colon)
      throw Error(where + ":" + std::to_string(lineno) + ": expected \"Field: value\", got \"" +
                  line.substr(0, 60) + "\"");
    std::string name = line.substr(0, colon), value = trim_space(line.substr(colon + 1));
    if (fields.empty()) cur.line = lineno;
    if (!fields.insert(name).second)
      throw Error(where + ":" + std::to_string(lineno) + ": field " + name + " given twice in one record");
    field = name;
    if (name == "Package") {
      cur.package = value;
    } else if (name == "Description-md5") {
      cur.md5 = value;
    } else if (name == desc_field) {
      cur.description = value;
      have_desc = true;
    } else if (name.rfind("Description-", 0) == 0) {
      other_desc = name;
    }
  }
  finish(lineno);
  return out;
}

std::vector<DdtpRecord> read_ddtp_index(const std::string& path, const std::string& lang) {
  return parse_ddtp_index(read_file(path), lang, path);
}

// ---------------------------------------------------------------- splitting

std::vector<std::string> split_sentences(const std::string& text) {
  std::string s = collapse_spaces(text);
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '.' && c != '!' && c != '?') continue;
    size_t j = i + 1;
    while (j < s.size() && (s[j] == '.' || s[j] == '!' || s[j] == '?')) ++j;
    for (size_t k; j < s.size() && (k = closer_at(s, j)) > 0;) j += k;
    if (j >= s.size() || s[j] != ' ' || !sentence_start_at(s, j + 1)) continue;
    if (c == '.' && j == i + 1 && abbreviation_before(s, i)) continue;
    std::string sent = trim_space(s.substr(start, j - start));
    if (!sent.empty()) out.push_back(sent);
    start = j + 1;
    i = j;
  }
  std::string last = trim_space(s.substr(std::min(start, s.size())));
  if (!last.empty()) out.push_back(last);
  return out;
}

DdtpDescription split_description(const std::string& description) {
  DdtpDescription d;
  std::vector<std::string> lines;
  std::stringstream in(plain_spaces(description));
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  if (lines.empty()) return d;
  d.short_text = collapse_spaces(lines[0]);

  // Paragraph -> blocks: prose runs, list items (bullet to the next bullet,
  // with their indented continuation lines) and other verbatim lines.
  auto units_of = [](const std::vector<std::string>& para) {
    struct Block {
      std::string text;
      bool item = false;
      size_t indent = 0;
    };
    std::vector<Block> blocks;
    for (const auto& raw : para) {
      size_t indent = raw.find_first_not_of(" \t");
      if (indent == std::string::npos) continue;
      std::string t = trim_space(raw);
      size_t marker = 0;
      // "o " is a bullet only when indented: at the margin it is a word
      // (Italian and Spanish "or", Portuguese "the") that a line wrap put first.
      if (is_bullet_line(t, &marker) && (indent > 0 || t[0] != 'o')) {
        blocks.push_back({t.substr(marker), true, indent});
      } else if (!blocks.empty() && blocks.back().item && indent > blocks.back().indent) {
        blocks.back().text += " " + t;  // continuation of a list item
      } else if (!blocks.empty() && indent == blocks.back().indent && (indent == 0 || !blocks.back().item)) {
        blocks.back().text += " " + t;  // prose, an unindented item's wrapped line, an indented run
      } else {
        blocks.push_back({t, false, indent});  // a new prose run or a verbatim line
      }
    }
    std::vector<std::string> units;
    for (const auto& b : blocks)
      for (auto& s : split_sentences(b.text)) units.push_back(std::move(s));
    return units;
  };

  std::vector<std::string> para;
  auto flush = [&]() {
    if (para.empty()) return;
    auto units = units_of(para);
    if (!units.empty()) d.paragraphs.push_back(std::move(units));
    para.clear();
  };
  for (size_t i = 1; i < lines.size(); ++i) {
    if (trim_space(lines[i]) == ".") {
      flush();
    } else {
      para.push_back(lines[i]);
    }
  }
  flush();
  return d;
}

// ---------------------------------------------------------------- filters

int count_words(const std::string& text) {
  int n = 0;
  bool in_word = false, word_ok = false;
  for (size_t i = 0; i <= text.size(); ++i) {
    unsigned char c = i < text.size() ? static_cast<unsigned char>(text[i]) : ' ';
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word && word_ok) ++n;
      in_word = word_ok = false;
    } else {
      in_word = true;
      word_ok = word_ok || std::isalnum(c) || c >= 0x80;
    }
  }
  return n;
}

std::string pair_filter(const std::string& en, const std::string& xx, const std::string& lang, bool short_desc,
                        const ParallelFilterOptions& opt) {
  if (has_markup(en) || has_markup(xx)) return "markup";
  LetterCounts a = letter_counts(en), b = letter_counts(xx);
  if (a.letters * 2 < a.non_space || b.letters * 2 < b.non_space || a.letters == 0 || b.letters == 0)
    return "nonletter";
  int wa = count_words(en), wb = count_words(xx);
  if (wa < (short_desc ? opt.min_words_short : opt.min_words)) return "short";
  if (wa > opt.max_words || wb > opt.max_words) return "long";
  if (lower_ascii(collapse_spaces(en)) == lower_ascii(collapse_spaces(xx))) return "identical";
  double ratio = static_cast<double>(b.chars) / static_cast<double>(std::max<size_t>(1, a.chars));
  if (ratio < opt.min_ratio || ratio > opt.max_ratio) return "ratio";
  if (latin_language(lang) && b.latin * 10 < b.letters * 9) return "script";
  if (digit_runs(en) != digit_runs(xx)) return "numbers";
  return "";
}

// ---------------------------------------------------------------- pairing

std::vector<CandidatePair> pair_descriptions(const DdtpDescription& en, const DdtpDescription& xx,
                                             const ParallelFilterOptions& opt, PairingStats* stats) {
  PairingStats local;
  PairingStats& st = stats ? *stats : local;
  std::vector<CandidatePair> out;
  if (!en.short_text.empty() && !xx.short_text.empty()) out.push_back({en.short_text, xx.short_text, true, 0, false});
  if (en.paragraphs.size() != xx.paragraphs.size()) {
    ++st.paragraph_mismatch;
    return out;
  }
  int pos = 1;
  for (size_t p = 0; p < en.paragraphs.size(); ++p) {
    const auto &a = en.paragraphs[p], &b = xx.paragraphs[p];
    ++st.paragraphs_paired;
    // Equal counts can still be a shifted alignment (a list wrapped
    // differently, two sentences merged and another split): then a pair's
    // length ratio or numbers give it away, and the paragraph stays whole.
    bool aligned = a.size() == b.size();
    for (size_t i = 0; aligned && a.size() > 1 && i < a.size(); ++i) {
      double ratio = static_cast<double>(utf8_code_points(b[i]).size()) /
                     static_cast<double>(std::max<size_t>(1, utf8_code_points(a[i]).size()));
      if (ratio < opt.min_ratio || ratio > opt.max_ratio || digit_runs(a[i]) != digit_runs(b[i])) aligned = false;
    }
    if (a.size() == b.size() && !aligned) ++st.misaligned;
    if (aligned) {
      ++st.sentence_pairs;
      for (size_t i = 0; i < a.size(); ++i) out.push_back({a[i], b[i], false, pos + static_cast<int>(i), false});
    } else {
      ++st.whole_paragraphs;
      out.push_back({join(a, " "), join(b, " "), false, pos, true});
    }
    pos += static_cast<int>(a.size());
  }
  return out;
}

// ---------------------------------------------------------------- the corpus

std::string ddtp_split(const std::string& key, uint64_t seed, double validation, double test) {
  double u = unit_from_hash(seeded_hash(seed, key));
  if (u < test) return "test";
  if (u < test + validation) return "validation";
  return "train";
}

namespace {

std::unordered_map<std::string, std::string> read_package_sources(const std::string& path) {
  std::unordered_map<std::string, std::string> out;
  std::istringstream in(read_file(path));
  int lineno = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 == line.size())
      throw Error(path + ":" + std::to_string(lineno) + ": expected \"package<TAB>source\"");
    out[line.substr(0, tab)] = trim_space(line.substr(tab + 1));
  }
  return out;
}

std::string need_index(const std::string& dir, const std::string& lang) {
  std::string p = (fs::path(dir) / ("Translation-" + lang)).string();
  if (!fs::exists(p)) throw Error(p + ": not found; fetch the DDTP indexes with scripts/fetch_parallel_text.sh");
  return p;
}

struct English {
  Utterance utt;
  std::vector<std::string> targets;  // per language ("" = none)
};

}  // namespace

void assemble_parallel_corpus(std::vector<SourcePair> kept, const std::string& category,
                              const std::vector<std::string>& langs,
                              const std::function<std::string(const std::string& unit)>& split_of,
                              ParallelCorpus& corpus) {
  std::stable_sort(kept.begin(), kept.end(), [](const SourcePair& a, const SourcePair& b) {
    return std::tie(a.unit, a.key, a.pos, a.lang) < std::tie(b.unit, b.key, b.pos, b.lang);
  });
  std::vector<English> english;
  std::unordered_map<std::string, size_t> english_of;  // English text -> index
  std::unordered_map<std::string, int> per_unit;    // English utterances so far
  std::vector<std::unordered_map<std::string, std::string>> target_of(langs.size());  // target -> English
  for (const auto& k : kept) {
    auto& st = corpus.stats[k.lang];
    auto& targets = target_of[k.lang];
    auto e = english_of.find(k.en);
    if (e != english_of.end()) {
      const std::string& have = english[e->second].targets[k.lang];
      if (have == k.xx) {
        ++st.dropped["duplicate"];
        continue;
      }
      if (!have.empty()) {
        ++st.dropped["variant"];
        continue;
      }
    }
    auto t = targets.find(k.xx);
    if (t != targets.end() && t->second != k.en) {
      ++st.dropped["dup_target"];
      continue;
    }
    if (e == english_of.end()) {
      English u;
      u.utt.id = category + "." + k.unit + "." + std::to_string(++per_unit[k.unit]);
      u.utt.text = k.en;
      u.utt.lang = "en";
      u.utt.category = category;
      u.utt.doc = k.unit;
      u.utt.split = split_of(k.unit);
      u.targets.assign(langs.size(), "");
      e = english_of.emplace(k.en, english.size()).first;
      english.push_back(std::move(u));
    }
    English& u = english[e->second];
    u.targets[k.lang] = k.xx;
    targets.emplace(k.xx, k.en);
    ++st.kept;
    ++st.per_split[u.utt.split];
  }

  // Utterances: each English sentence, then its translations.
  corpus.english = english.size();
  for (auto& e : english) {
    corpus.utts.push_back(e.utt);
    for (size_t li = 0; li < langs.size(); ++li) {
      if (e.targets[li].empty()) continue;
      Utterance t = e.utt;
      t.id = e.utt.id + "." + langs[li];
      t.text = e.targets[li];
      t.lang = langs[li];
      t.source_id = e.utt.id;
      corpus.utts.push_back(std::move(t));
    }
  }
}

ParallelCorpus build_ddtp_corpus(const ParallelCorpusOptions& opt) {
  if (opt.langs.empty()) throw Error("parallel corpus: no languages given");
  std::set<std::string> seen_langs;
  for (const auto& l : opt.langs) {
    if (l.empty() || l == "en") throw Error("parallel corpus: \"" + l + "\" is not a target language");
    if (!seen_langs.insert(l).second) throw Error("parallel corpus: language \"" + l + "\" given twice");
  }
  ParallelCorpus corpus;

  // English descriptions by checksum, and the packages that carry each.
  auto en_records = read_ddtp_index(need_index(opt.ddtp_dir, "en"), "en");
  std::unordered_map<std::string, size_t> en_by_md5;
  std::unordered_set<std::string> en_pkg_md5;
  for (size_t i = 0; i < en_records.size(); ++i) {
    en_by_md5.emplace(en_records[i].md5, i);
    en_pkg_md5.insert(en_records[i].package + " " + en_records[i].md5);
  }
  std::unordered_map<std::string, DdtpDescription> en_split;  // md5 -> cut description

  std::unordered_map<std::string, std::string> sources;
  std::string src_path = (fs::path(opt.ddtp_dir) / "package-source.tsv").string();
  corpus.split_key = "package";
  if (opt.split_by_source && fs::exists(src_path)) {
    sources = read_package_sources(src_path);
    corpus.split_key = "source";
  }
  auto split_key = [&](const std::string& pkg) {
    auto it = sources.find(pkg);
    return it == sources.end() ? pkg : it->second;
  };

  // 1. Per language: align, pair, filter.
  std::vector<SourcePair> kept;
  std::unordered_map<std::string, std::string> split_of_key;
  for (size_t li = 0; li < opt.langs.size(); ++li) {
    const std::string& lang = opt.langs[li];
    ParallelLangStats st;
    st.lang = lang;
    auto records = read_ddtp_index(need_index(opt.ddtp_dir, lang), lang);
    st.records = records.size();
    for (const auto& r : records) {
      auto it = en_by_md5.find(r.md5);
      if (it == en_by_md5.end()) {
        ++st.unaligned;
        continue;
      }
      ++st.aligned;
      st.other_package += !en_pkg_md5.count(r.package + " " + r.md5);
      auto cut = en_split.find(r.md5);
      if (cut == en_split.end())
        cut = en_split.emplace(r.md5, split_description(en_records[it->second].description)).first;
      for (auto& c : pair_descriptions(cut->second, split_description(r.description), opt.filter, &st.pairing)) {
        ++st.candidates;
        std::string why = pair_filter(c.en, c.xx, lang, c.short_desc, opt.filter);
        if (!why.empty()) {
          ++st.dropped[why];
          continue;
        }
        kept.push_back({r.package, r.md5, c.en_pos, li, std::move(c.en), std::move(c.xx)});
      }
    }
    corpus.stats.push_back(std::move(st));
  }

  // 2. All languages together: deduplicate and assemble.
  assemble_parallel_corpus(std::move(kept), "ddtp", opt.langs,
                           [&](const std::string& pkg) {
                             std::string key = split_key(pkg);
                             auto sp = split_of_key.find(key);
                             if (sp == split_of_key.end())
                               sp = split_of_key.emplace(key, ddtp_split(key, opt.seed, opt.validation, opt.test))
                                        .first;
                             return sp->second;
                           },
                           corpus);
  return corpus;
}

}  // namespace clasp
