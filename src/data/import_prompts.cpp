#include "data/import_prompts.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <set>

#include "audio/audio_file.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/text_clean.h"
#include "util/utf8.h"

namespace clasp {

namespace fs = std::filesystem;

namespace {

// The test split's own seed: never an option, so the test prompts never move.
constexpr uint64_t kTestSeed = 0x7e57a57e415ULL;

// Prompts that are tones whatever their transcript says (it "beep: un suono beep").
bool is_tone_prompt(const std::string& name) {
  static const std::set<std::string> tones = {"beep", "beeperr", "ascending-2tone", "descending-2tone", "tt-monkeys"};
  return tones.count(name) || name.rfind("silence/", 0) == 0;
}

bool is_word_byte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

bool has_word_byte(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return is_word_byte(c); });
}

// Lowercased words without punctuation: prompts equal under this are one text.
std::string text_key(const std::string& text) {
  std::string out;
  bool gap = false;
  for (unsigned char c : lower_ascii(text)) {
    if (is_word_byte(c)) {
      if (gap && !out.empty()) out += ' ';
      out += static_cast<char>(c);
      gap = false;
    } else if (c == ' ') {
      gap = true;
    }
  }
  return out;
}

// "digits/1" -> "digits.1": ids stay one dotted token.
std::string id_of(const std::string& lang, const std::string& name) {
  std::string n = name;
  std::replace(n.begin(), n.end(), '/', '.');
  return "asterisk." + lang + "." + n;
}

// Lowercased relative path without ".wav" -> the path as on disk ("" when two differ only by case).
std::map<std::string, std::string> wav_files_by_lower_name(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".wav") continue;
    std::string rel = e.path().lexically_relative(dir).replace_extension().generic_string();
    auto [it, fresh] = out.emplace(lower_ascii(rel), rel);
    if (!fresh) it->second.clear();
  }
  return out;
}

struct UnionFind {
  std::map<std::string, std::string> parent;
  std::string find(const std::string& x) {
    auto it = parent.find(x);
    if (it == parent.end() || it->second == x) return x;
    return it->second = find(it->second);
  }
  // The smaller name represents the group, so the key never depends on order.
  void join(const std::string& a, const std::string& b) {
    std::string ra = find(a), rb = find(b);
    if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
  }
};

}  // namespace

std::vector<PromptEntry> read_prompt_transcript(const std::string& path) {
  std::string data = read_file(path, 64 << 20);
  if (data.rfind("\xEF\xBB\xBF", 0) == 0) data.erase(0, 3);
  std::vector<PromptEntry> out;
  size_t pos = 0;
  for (int line_no = 1; pos < data.size(); ++line_no) {
    size_t end = data.find('\n', pos);
    if (end == std::string::npos) end = data.size();
    std::string line = trim_space(data.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line[0] == ';') continue;
    const std::string where = path + ":" + std::to_string(line_no);
    require_utf8(line, where);
    size_t colon = line.find(':');
    std::string name = colon == std::string::npos ? "" : trim_space(line.substr(0, colon));
    bool bad_name = name.empty() || name.find_first_of(" \t") != std::string::npos || name[0] == '/' ||
                    name.find("..") != std::string::npos;
    if (bad_name)
      throw Error(where + ": expected \"name: text\" (a prompt name without spaces, then a colon), got \"" +
                  line.substr(0, 80) + "\"");
    out.push_back({name, trim_space(line.substr(colon + 1)), line_no});
  }
  return out;
}

std::string spoken_prompt_text(const std::string& raw) {
  const std::string text = trim_space(raw);
  // A whole text in brackets or parentheses describes a sound, not words.
  for (auto [open, close] : {std::pair{'[', ']'}, std::pair{'(', ')'}})
    if (!text.empty() && text.front() == open && text.find(close) == text.size() - 1) return "";
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char close = c == '(' ? ')' : c == '[' ? ']' : 0;
    size_t end = close ? text.find(close, i + 1) : std::string::npos;
    if (end == std::string::npos) {
      out += c;
      continue;
    }
    std::string inner = text.substr(i + 1, end - i - 1);
    // (stage notes) are not read out; [words] are, [@] only glosses a symbol.
    if (c == '[' && has_word_byte(inner)) out += inner;
    out += ' ';
    i = end;
  }
  return collapse_spaces(out);
}

int count_prompt_words(const std::string& text) {
  int n = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    bool word = false;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
      word |= is_word_byte(static_cast<unsigned char>(text[i++]));
    n += word;
  }
  return n;
}

PromptSource asterisk_source(const std::string& root, const std::string& lang) {
  const std::string hint = " (run scripts/fetch_real_speech.sh)";
  PromptSource s;
  s.lang = lang;
  const std::string pkg = "asterisk-core-sounds-" + lang;
  s.transcript = root + "/" + pkg + "/usr/share/doc/" + pkg + "/core-sounds-" + lang + ".txt";
  if (!fs::exists(s.transcript)) fail_file(s.transcript, "transcript not found" + hint);
  // The voice folder is named after the speaker: en_US_f_Allison, it_IT_m_Carlo, ...
  const std::string sounds = root + "/" + pkg + "-wav/usr/share/asterisk/sounds";
  if (!fs::is_directory(sounds)) fail_file(sounds, "audio folder not found" + hint);
  for (const auto& e : fs::directory_iterator(sounds))
    if (e.is_directory() && e.path().filename().string().rfind(lang + "_", 0) == 0) {
      if (!s.audio_dir.empty()) fail_file(sounds, "more than one voice folder for " + lang);
      s.audio_dir = e.path().string();
    }
  if (s.audio_dir.empty()) fail_file(sounds, "no voice folder named " + lang + "_*");
  return s;
}

std::vector<Utterance> import_prompt_language(const PromptSource& src, const std::string& manifest_dir,
                                              const PromptImportOptions& opt, PromptImportStats* stats) {
  PromptImportStats st;
  if (!fs::is_directory(src.audio_dir)) fail_file(src.audio_dir, "audio folder not found");
  const auto entries = read_prompt_transcript(src.transcript);
  const auto by_lower = wav_files_by_lower_name(src.audio_dir);
  const fs::path base = fs::absolute(manifest_dir.empty() ? "." : manifest_dir).lexically_normal();
  const fs::path audio_root = fs::absolute(src.audio_dir).lexically_normal();
  std::set<std::string> seen;
  std::vector<Utterance> out;
  for (const auto& e : entries) {
    ++st.entries;
    if (!seen.insert(e.name).second) {
      ++st.duplicate;  // es lists "digits/0" twice; the second is "diez"
      continue;
    }
    if (e.text.empty()) {
      ++st.no_text;
      continue;
    }
    const std::string text = is_tone_prompt(e.name) ? "" : spoken_prompt_text(e.text);
    if (text.empty()) {
      ++st.non_speech;
      continue;
    }
    const int words = count_prompt_words(text);
    if (words < 2 && !opt.keep_short) {
      ++st.short_text;
      continue;
    }
    std::string rel = e.name;
    if (!fs::is_regular_file(audio_root / (rel + ".wav"))) {
      // The transcripts' case sometimes differs from the files' (it "letters/O" -> letters/o.wav).
      auto it = by_lower.find(lower_ascii(e.name));
      if (it == by_lower.end() || it->second.empty()) {
        st.missing_audio.push_back(e.name);
        continue;
      }
      rel = it->second;
      ++st.case_fixed;
    }
    const fs::path wav = audio_root / (rel + ".wav");
    Utterance u;
    u.id = id_of(src.lang, e.name);
    u.text = text;
    u.lang = src.lang;
    u.category = "asterisk";
    u.doc = e.name;
    u.tokens = words;
    u.audio = wav.lexically_relative(base).generic_string();
    u.duration = probe_audio(wav.string()).duration();
    u.engine = "human";
    u.voice = "asterisk:" + src.lang;
    out.push_back(std::move(u));
  }
  st.kept = out.size();
  if (stats) *stats = st;
  return out;
}

std::vector<Utterance> import_prompts(const std::vector<PromptSource>& sources, const std::string& manifest_path,
                                      const PromptImportOptions& opt,
                                      std::map<std::string, PromptImportStats>* stats) {
  if (opt.validation < 0 || opt.test < 0 || opt.validation + opt.test >= 1.0)
    throw Error("split ratios: validation and test must be >= 0 and sum to less than 1");
  const std::string dir = fs::path(manifest_path).parent_path().string();
  std::vector<Utterance> all;
  std::set<std::string> langs;
  for (const auto& src : sources) {
    if (!langs.insert(src.lang).second) throw Error("language " + src.lang + " given twice");
    PromptImportStats st;
    auto utts = import_prompt_language(src, dir, opt, &st);
    if (stats) (*stats)[src.lang] = st;
    all.insert(all.end(), utts.begin(), utts.end());
  }
  std::map<std::string, std::string> english;  // prompt name -> English id
  for (const auto& u : all)
    if (u.lang == "en") english[u.doc] = u.id;
  // Prompts with the same text in any language form one group with one split.
  UnionFind groups;
  std::map<std::pair<std::string, std::string>, std::string> first_with_text;  // (lang, text) -> name
  for (const auto& u : all) {
    auto [it, fresh] = first_with_text.emplace(std::pair{u.lang, text_key(u.text)}, u.doc);
    if (!fresh) groups.join(it->second, u.doc);
  }
  // Exact shares of groups (a coin per group gave 16% test): test by a rank
  // under the fixed seed, then validation by a rank under opt.seed.
  std::set<std::string> keys;
  for (const auto& u : all) keys.insert(groups.find(u.doc));
  auto by_hash = [](uint64_t seed, std::vector<std::string> v) {
    std::sort(v.begin(), v.end(), [seed](const std::string& a, const std::string& b) {
      uint64_t ha = seeded_hash(seed, a), hb = seeded_hash(seed, b);
      return ha != hb ? ha < hb : a < b;
    });
    return v;
  };
  const auto order = by_hash(kTestSeed, {keys.begin(), keys.end()});
  const size_t n_test = static_cast<size_t>(std::lround(order.size() * opt.test));
  const size_t n_val = static_cast<size_t>(std::lround(order.size() * opt.validation));
  std::map<std::string, std::string> split_of;
  for (size_t i = 0; i < order.size(); ++i) split_of[order[i]] = i < n_test ? "test" : "train";
  const auto rest = by_hash(opt.seed, {order.begin() + static_cast<long>(n_test), order.end()});
  for (size_t i = 0; i < n_val && i < rest.size(); ++i) split_of[rest[i]] = "validation";
  for (auto& u : all) {
    if (u.lang != "en" && english.count(u.doc)) u.source_id = english[u.doc];
    u.split = split_of[groups.find(u.doc)];
  }
  return all;
}

}  // namespace clasp
