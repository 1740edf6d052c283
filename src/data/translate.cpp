#include "data/translate.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "util/error.h"
#include "util/subprocess.h"

namespace clasp {

namespace {
// Mode names as installed by Debian's apertium-* packages (see setup.sh).
// From English: direct pairs where Debian has them, else through Spanish.
const std::map<std::string, std::vector<std::string>>& routes() {
  static const std::map<std::string, std::vector<std::string>> r = {
      {"es", {"eng-spa"}},          {"ca", {"eng-cat"}},          {"gl", {"en-gl"}},
      {"eo", {"en-eo"}},            {"fr", {"eng-spa", "es-fr"}}, {"pt", {"eng-spa", "es-pt"}},
      {"it", {"eng-spa", "spa-ita"}}};
  return r;
}

// Into English, the same pairs the other way.
const std::map<std::string, std::vector<std::string>>& routes_to_english() {
  static const std::map<std::string, std::vector<std::string>> r = {
      {"es", {"spa-eng"}},          {"ca", {"cat-eng"}},          {"gl", {"gl-en"}},
      {"eo", {"eo-en"}},            {"fr", {"fr-es", "spa-eng"}}, {"pt", {"pt-es", "spa-eng"}},
      {"it", {"ita-spa", "spa-eng"}}};
  return r;
}

std::string known_languages(const std::map<std::string, std::vector<std::string>>& r) {
  std::string known;
  for (const auto& [k, v] : r) known += (known.empty() ? "" : ",") + k;
  return known;
}

std::string one_line(const std::string& s) {
  std::string t = s;
  std::replace(t.begin(), t.end(), '\n', ' ');
  std::replace(t.begin(), t.end(), '\r', ' ');
  return t;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

// One apertium pass over a block of lines; "" error on success.
std::string apertium_pass(const std::string& mode, const std::string& input, double timeout_s, std::string* out) {
  ProcessResult r = run_process({"apertium", "-u", mode}, input, timeout_s);
  if (r.timed_out) return "apertium " + mode + " timed out";
  if (r.exit_code != 0)
    return "apertium " + mode + " failed (exit " + std::to_string(r.exit_code) + "): " +
           trim(one_line(r.err.substr(0, 300)));
  *out = r.out;
  return "";
}

// Translates a block; fails (returns error) if line alignment is lost.
std::string translate_block(const std::vector<std::string>& lines, const TranslationRoute& route,
                            std::vector<std::string>* out) {
  std::string text;
  for (const auto& l : lines) text += one_line(l) + "\n";
  for (const auto& mode : route.modes) {
    std::string next;
    std::string err = apertium_pass(mode, text, route.timeout_s, &next);
    if (!err.empty()) return err;
    text = next;
  }
  auto got = split_lines(text);
  if (got.size() != lines.size())
    return "apertium returned " + std::to_string(got.size()) + " lines for " +
           std::to_string(lines.size());
  *out = std::move(got);
  return "";
}
}  // namespace

TranslationRoute translation_route(const std::string& lang) {
  auto it = routes().find(lang);
  if (it == routes().end())
    throw Error("--to: no apertium route from English to \"" + lang + "\" (supported: " + known_languages(routes()) +
                ")");
  return {lang, it->second};
}

std::optional<TranslationRoute> find_translation_route(const std::string& from, const std::string& to) {
  if (from == "en" && routes().count(to)) return TranslationRoute{to, routes().at(to), 300};
  if (to == "en" && routes_to_english().count(from)) return TranslationRoute{to, routes_to_english().at(from), 300};
  return std::nullopt;
}

std::vector<std::string> supported_translation_languages() {
  std::vector<std::string> v;
  for (const auto& [k, _] : routes()) v.push_back(k);
  return v;
}

std::vector<Translation> translate_sentences(const std::vector<std::string>& sentences,
                                             const TranslationRoute& route, size_t batch,
                                             const std::function<void(size_t)>& on_progress) {
  if (!program_exists("apertium"))
    throw Error("apertium: program not found (run scripts/setup.sh to install it)");
  std::vector<Translation> out(sentences.size());
  batch = std::max<size_t>(batch, 1);
  for (size_t start = 0; start < sentences.size(); start += batch) {
    size_t end = std::min(sentences.size(), start + batch);
    std::vector<std::string> block(sentences.begin() + start, sentences.begin() + end);
    std::vector<std::string> got;
    std::string err = translate_block(block, route, &got);
    if (err.empty()) {
      for (size_t i = 0; i < block.size(); ++i) out[start + i].text = trim(got[i]);
    } else if (block.size() == 1) {
      out[start].error = err;  // already pinned to its sentence: running it again would only repeat the failure
    } else {
      // Pin the failure down to single sentences.
      for (size_t i = 0; i < block.size(); ++i) {
        std::vector<std::string> single;
        std::string e = translate_block({block[i]}, route, &single);
        if (e.empty()) out[start + i].text = trim(single[0]);
        else out[start + i].error = e;
      }
    }
    for (size_t i = start; i < end; ++i)
      if (out[i].error.empty() && out[i].text.empty())
        out[i].error = "apertium produced an empty translation";
    if (on_progress) on_progress(end);
  }
  return out;
}

TranslateOutcome translate_manifest(
    const std::vector<Utterance>& english, const std::vector<std::string>& langs,
    const std::function<void(const std::string&, size_t, size_t)>& on_progress) {
  std::vector<TranslationRoute> rts;
  for (const auto& l : langs) rts.push_back(translation_route(l));  // validate all first
  std::vector<std::string> texts;
  for (const auto& u : english) {
    if (u.lang != "en")
      throw Error("translate: utterance " + u.id + " has lang \"" + u.lang +
                  "\"; only English sources are translated");
    texts.push_back(u.text);
  }
  TranslateOutcome res;
  for (const auto& route : rts) {
    auto tr = translate_sentences(texts, route, 400, [&](size_t done) {
      if (on_progress) on_progress(route.lang, done, texts.size());
    });
    for (size_t i = 0; i < english.size(); ++i) {
      Utterance u = english[i];
      u.id = english[i].id + "." + route.lang;
      u.source_id = english[i].id;
      u.lang = route.lang;
      if (tr[i].error.empty()) {
        u.text = tr[i].text;
        res.translated.push_back(std::move(u));
      } else {
        u.error = tr[i].error;
        res.failed.push_back(std::move(u));
      }
    }
  }
  return res;
}

}  // namespace clasp
