#include "data/import_klettres.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "audio/audio_file.h"
#include "util/error.h"
#include "util/fs.h"

namespace clasp {

namespace fs = std::filesystem;

namespace {

int line_at(const std::string& s, size_t pos) {
  return 1 + static_cast<int>(std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(std::min(pos, s.size())), '\n'));
}

std::string decode_entities(const std::string& s) {
  static const std::pair<const char*, const char*> kEnt[] = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool done = false;
    if (s[i] == '&')
      for (const auto& [ent, ch] : kEnt)
        if (s.compare(i, std::char_traits<char>::length(ent), ent) == 0) {
          out += ch;
          i += std::char_traits<char>::length(ent);
          done = true;
          break;
        }
    if (!done) out += s[i++];
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The value of attribute `key` in the text of one tag ("" + found=false when absent).
std::string attribute(const std::string& tag, const std::string& key, bool* found) {
  *found = false;
  for (size_t p = 0; (p = tag.find(key, p)) != std::string::npos; p += key.size()) {
    if (p == 0 || !is_space(tag[p - 1])) continue;
    size_t q = p + key.size();
    while (q < tag.size() && is_space(tag[q])) ++q;
    if (q >= tag.size() || tag[q] != '=') continue;
    ++q;
    while (q < tag.size() && is_space(tag[q])) ++q;
    if (q >= tag.size() || (tag[q] != '"' && tag[q] != '\'')) continue;
    const char quote = tag[q];
    const size_t end = tag.find(quote, q + 1);
    if (end == std::string::npos) continue;
    *found = true;
    return decode_entities(tag.substr(q + 1, end - q - 1));
  }
  return "";
}

std::string id_part(const std::string& name) {
  std::string s;
  for (char c : name) s += (is_space(c) || c == '/' || c == '.') ? '_' : c;
  return s;
}

}  // namespace

std::vector<KlettresSound> read_klettres_sounds(const std::string& path) {
  const std::string xml = read_file(path);
  std::vector<KlettresSound> out;
  std::string section;  // "", "letters", "syllables"
  bool language = false;
  for (size_t pos = 0; (pos = xml.find('<', pos)) != std::string::npos;) {
    if (xml.compare(pos, 4, "<!--") == 0) {
      const size_t end = xml.find("-->", pos + 4);
      if (end == std::string::npos) fail_file(path + ":" + std::to_string(line_at(xml, pos)), "unterminated comment");
      pos = end + 3;
      continue;
    }
    const size_t end = xml.find('>', pos);
    if (end == std::string::npos) fail_file(path + ":" + std::to_string(line_at(xml, pos)), "unterminated tag");
    const std::string tag = xml.substr(pos, end + 1 - pos);
    size_t n = 1;
    while (n < tag.size() && !is_space(tag[n]) && tag[n] != '>' && tag[n] != '/') ++n;
    if (tag[1] == '/') {
      n = 2;
      while (n < tag.size() && !is_space(tag[n]) && tag[n] != '>') ++n;
    }
    const std::string name = tag.substr(1, n - 1);
    const int line = line_at(xml, pos);
    if (name == "language") language = true;
    else if (name == "alphabet") section = "letters";
    else if (name == "syllables") section = "syllables";
    else if (name == "/alphabet" || name == "/syllables") section.clear();
    else if (name == "sound" && !section.empty()) {
      bool has_name = false, has_file = false;
      KlettresSound s;
      s.kind = section;
      s.name = attribute(tag, "name", &has_name);
      s.file = attribute(tag, "file", &has_file);
      s.line = line;
      if (!has_name) fail_file(path + ":" + std::to_string(line), "<sound> without a name attribute");
      if (!has_file || s.file.empty())
        fail_file(path + ":" + std::to_string(line), "<sound name=\"" + s.name + "\"> without a file attribute");
      out.push_back(std::move(s));
    }
    pos = end + 1;
  }
  if (!language) fail_file(path, "no <language> element: not a KLettres sounds.xml");
  return out;
}

std::string klettres_lang(const std::string& dir) { return dir.substr(0, dir.find('_')); }

std::string klettres_data_dir(const std::string& root) {
  const fs::path dir = fs::path(root) / "usr/share/klettres";
  if (!fs::is_directory(dir))
    fail_file(dir.string(), "no such folder (run scripts/fetch_klettres.sh, or give --root the extracted klettres-data)");
  return dir.string();
}

std::vector<std::string> klettres_languages(const std::string& root) {
  std::vector<std::string> dirs;
  for (const auto& e : fs::directory_iterator(klettres_data_dir(root)))
    if (e.is_directory() && fs::exists(e.path() / "sounds.xml")) dirs.push_back(e.path().filename().string());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::vector<Utterance> import_klettres_language(const std::string& root, const std::string& dir,
                                                const std::string& manifest_dir, KlettresStats* stats) {
  const fs::path data = klettres_data_dir(root);
  const std::string xml = (data / dir / "sounds.xml").string();
  if (!fs::exists(xml)) fail_file(xml, "no such file: no language folder \"" + dir + "\" in klettres-data");
  const fs::path base = fs::absolute(manifest_dir.empty() ? "." : manifest_dir).lexically_normal();
  KlettresStats st;
  st.dir = dir;
  std::vector<Utterance> out;
  std::set<std::string> texts, ids;
  for (const auto& s : read_klettres_sounds(xml)) {
    ++st.listed;
    if (s.name.empty()) {
      ++st.empty;
      continue;
    }
    const fs::path audio = fs::absolute(data / s.file).lexically_normal();
    if (!fs::is_regular_file(audio)) {
      st.missing_audio.push_back(s.file);
      continue;
    }
    if (!texts.insert(s.name).second) {
      ++st.duplicate;
      continue;
    }
    Utterance u;
    u.id = "klettres." + dir + "." + s.kind + "." + id_part(s.name);
    for (int k = 2; !ids.insert(u.id).second; ++k)  // "A" and "A." would meet after id_part
      u.id = "klettres." + dir + "." + s.kind + "." + id_part(s.name) + "." + std::to_string(k);
    u.text = s.name;
    u.lang = klettres_lang(dir);
    u.category = "klettres-" + s.kind;
    u.split = "test";
    u.doc = "klettres." + dir;
    u.engine = "human";
    u.voice = "klettres:" + dir;
    u.audio = audio.lexically_relative(base).generic_string();
    ReadOptions ro;
    ro.target_rate = 0;
    u.duration = read_audio(audio.string(), ro).duration();
    st.seconds += u.duration;
    ++(s.kind == "letters" ? st.letters : st.syllables);
    out.push_back(std::move(u));
  }
  if (stats) *stats = std::move(st);
  return out;
}

std::vector<Utterance> import_klettres(const std::string& root, const std::vector<std::string>& langs,
                                       const std::string& manifest_path, std::vector<KlettresStats>* stats,
                                       std::vector<std::string>* absent) {
  const auto dirs = klettres_languages(root);
  const std::string manifest_dir = fs::path(manifest_path).parent_path().string();
  std::vector<Utterance> out;
  for (const auto& want : langs)
    if (std::find(dirs.begin(), dirs.end(), want) == dirs.end() && absent) absent->push_back(want);
  for (const auto& want : langs) {
    if (std::find(dirs.begin(), dirs.end(), want) == dirs.end()) continue;
    KlettresStats st;
    auto utts = import_klettres_language(root, want, manifest_dir, &st);
    out.insert(out.end(), std::make_move_iterator(utts.begin()), std::make_move_iterator(utts.end()));
    if (stats) stats->push_back(std::move(st));
  }
  return out;
}

}  // namespace clasp
