#include "text/wordpiece_tokenizer.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <fstream>

#include "util/error.h"
#include "util/utf8.h"

namespace clasp {

namespace {

bool is_whitespace(char32_t c) {
  if (c == U' ' || c == U'\t' || c == U'\n' || c == U'\r') return true;
  return u_charType(static_cast<UChar32>(c)) == U_SPACE_SEPARATOR;
}

// Every "C*" general category except the three whitespace controls.
bool is_control(char32_t c) {
  if (c == U'\t' || c == U'\n' || c == U'\r') return false;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_UNASSIGNED:
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
      return true;
    default:
      return false;
  }
}

// ASCII symbols count as punctuation too (BERT splits "$" and "^").
bool is_punctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
      return true;
    default:
      return false;
  }
}

// The CJK Unified Ideographs blocks BERT isolates (not kana or hangul).
bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

icu::UnicodeString to_icu(const std::u32string& s) {
  return icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(s.data()), static_cast<int32_t>(s.size()));
}

std::u32string from_icu(const icu::UnicodeString& u) {
  std::u32string out;
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) out.push_back(static_cast<char32_t>(u.char32At(i)));
  return out;
}

std::string to_utf8(const std::u32string& s) {
  std::string out;
  to_icu(s).toUTF8String(out);
  return out;
}

const icu::Normalizer2& normalizer(bool nfd) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n =
      nfd ? icu::Normalizer2::getNFDInstance(status) : icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || !n) throw Error("ICU normaliser unavailable");
  return *n;
}

icu::UnicodeString normalize(const icu::UnicodeString& s, bool nfd) {
  UErrorCode status = U_ZERO_ERROR;
  auto out = normalizer(nfd).normalize(s, status);
  if (U_FAILURE(status)) throw Error("ICU normalisation failed");
  return out;
}

std::u32string strip_accents(const std::u32string& word) {
  std::u32string out;
  for (char32_t c : from_icu(normalize(to_icu(word), true)))
    if (u_charType(static_cast<UChar32>(c)) != U_NON_SPACING_MARK) out.push_back(c);
  return out;
}

void split_whitespace(const std::u32string& s, std::vector<std::u32string>& out) {
  std::u32string cur;
  for (char32_t c : s) {
    // After cleaning, ' ' is the only whitespace left but for the line and
    // paragraph separators, which Python's str.split() also splits on.
    if (c == U' ' || c == 0x2028 || c == 0x2029) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(const std::string& vocab_path, WordPieceOptions opt) : opt_(opt) {
  std::ifstream in(vocab_path, std::ios::binary);
  if (!in) throw Error(vocab_path + ": cannot open WordPiece vocabulary");
  std::string line;
  int64_t id = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    require_utf8(line, vocab_path + " line " + std::to_string(id + 1));
    vocab_.emplace(line, id++);  // the first occurrence of a duplicate wins, as in Hugging Face
  }
  if (vocab_.empty()) throw Error(vocab_path + ": WordPiece vocabulary is empty");
  lines_ = id;
  cls_ = special(vocab_path, "[CLS]");
  sep_ = special(vocab_path, "[SEP]");
  pad_ = special(vocab_path, "[PAD]");
  unk_ = special(vocab_path, "[UNK]");
}

int64_t WordPieceTokenizer::special(const std::string& vocab_path, const char* token) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) throw Error(vocab_path + ": WordPiece vocabulary has no " + token + " token");
  return it->second;
}

std::vector<std::u32string> WordPieceTokenizer::basic_tokens(const std::string& text) const {
  require_utf8(text, "text to tokenise");
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  std::u32string cleaned;
  for (char32_t c : from_icu(u)) {
    if (c == 0 || c == 0xFFFD || is_control(c)) continue;
    if (is_whitespace(c)) {
      cleaned.push_back(U' ');
    } else if (opt_.tokenize_chinese_chars && is_cjk(c)) {
      cleaned += U' ';
      cleaned.push_back(c);
      cleaned += U' ';
    } else {
      cleaned.push_back(c);
    }
  }
  // NFC first, so one character typed two ways tokenises the same.
  std::vector<std::u32string> words;
  split_whitespace(from_icu(normalize(to_icu(cleaned), false)), words);
  const bool strip = opt_.strip_accents.value_or(opt_.lower_case);
  std::u32string spaced;
  for (auto& w : words) {
    if (opt_.lower_case) w = from_icu(to_icu(w).toLower(icu::Locale::getRoot()));
    if (strip) w = strip_accents(w);
    for (char32_t c : w) {
      if (is_punctuation(c)) {
        spaced += U' ';
        spaced.push_back(c);
        spaced += U' ';
      } else {
        spaced.push_back(c);
      }
    }
    spaced += U' ';
  }
  std::vector<std::u32string> out;
  split_whitespace(spaced, out);
  return out;
}

void WordPieceTokenizer::word_pieces(const std::u32string& word, std::vector<int64_t>& ids,
                                     std::vector<std::string>* pieces) const {
  auto emit = [&](int64_t id, const std::string& piece) {
    ids.push_back(id);
    if (pieces) pieces->push_back(piece);
  };
  if (word.size() > opt_.max_chars_per_word) return emit(unk_, "[UNK]");
  std::vector<std::pair<int64_t, std::string>> found;
  size_t start = 0;
  while (start < word.size()) {
    size_t end = word.size();
    bool matched = false;
    for (; end > start; --end) {
      std::string piece = (start > 0 ? "##" : "") + to_utf8(word.substr(start, end - start));
      auto it = vocab_.find(piece);
      if (it != vocab_.end()) {
        found.emplace_back(it->second, std::move(piece));
        matched = true;
        break;
      }
    }
    if (!matched) return emit(unk_, "[UNK]");  // one unknown piece makes the whole word unknown
    start = end;
  }
  for (auto& [id, piece] : found) emit(id, piece);
}

std::vector<std::string> WordPieceTokenizer::tokenize(const std::string& text) const {
  std::vector<int64_t> ids;
  std::vector<std::string> pieces;
  for (const auto& w : basic_tokens(text)) word_pieces(w, ids, &pieces);
  return pieces;
}

Encoded WordPieceTokenizer::encode(const std::string& text, size_t max_len) const {
  if (max_len < 2) throw Error("tokeniser: max_len must be at least 2");
  Encoded e;
  e.ids.push_back(cls_);
  for (const auto& w : basic_tokens(text)) word_pieces(w, e.ids, nullptr);
  if (e.ids.size() + 1 > max_len) {
    e.ids.resize(max_len - 1);
    e.truncated = true;
  }
  e.ids.push_back(sep_);
  return e;
}

}  // namespace clasp
