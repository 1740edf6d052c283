#include "index/search_export.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util/utf8.h"

namespace clasp {

const std::vector<std::string>& export_format_names() {
  static const std::vector<std::string> names = {"text", "json", "jsonl", "csv", "srt", "vtt"};
  return names;
}

bool parse_export_format(const std::string& name, ExportFormat* out) {
  static const ExportFormat formats[] = {ExportFormat::Text, ExportFormat::Json, ExportFormat::Jsonl,
                                         ExportFormat::Csv,  ExportFormat::Srt,  ExportFormat::Vtt};
  const auto& names = export_format_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) {
      *out = formats[i];
      return true;
    }
  return false;
}

std::string subtitle_time(double seconds, char ms_separator) {
  const auto ms = static_cast<long long>(std::llround(std::max(0.0, seconds) * 1000));
  char b[48];
  std::snprintf(b, sizeof b, "%02lld:%02lld:%02lld%c%03lld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
                ms_separator, ms % 1000);
  return b;
}

namespace {

// `heard` with the stretch the query was found in between [ ].
std::string marked_heard(const SearchHit& h) {
  if (h.heard_match_end <= h.heard_match_begin) return h.heard;
  std::string out;
  const auto chars = utf8_characters(h.heard);
  for (size_t cp = 0; cp < chars.size(); ++cp) {
    if (cp == h.heard_match_begin) out += '[';
    out += chars[cp];
    if (cp + 1 == h.heard_match_end) out += ']';
  }
  return out;
}

// A CSV field: quoted when it holds a separator, quote or line break, with
// quotes doubled (RFC 4180).
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string json_scalar(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// A cue's text: one line per hit, never a blank line (which would end the
// cue) and never "-->" (which a player would read as timing).
std::string cue_text(const SearchAnswer& a, const nlohmann::json& hit) {
  std::string t = "#" + hit["rank"].dump() + " " + hit["name"].get<std::string>() + " (score " + hit["score"].dump() + ")";
  if (!a.query.empty()) t += "\n" + a.query;
  const auto text = hit["text"].get<std::string>(), heard = hit["heard"].get<std::string>();
  if (!text.empty()) t += "\ntext: " + text;
  else if (!heard.empty()) t += "\nheard: /" + heard + "/";
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\r') continue;
    if (t[i] == '\n' && !out.empty() && out.back() == '\n') continue;
    if (t.compare(i, 3, "-->") == 0) {
      out += "->";
      i += 2;
      continue;
    }
    out += t[i];
  }
  return out;
}

}  // namespace

std::string clock_time(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%d:%05.2f", static_cast<int>(s) / 60, s - 60 * (static_cast<int>(s) / 60));
  return b;
}

std::string csv_header() {
  return "query,query_lang,mode,rank,score,name,path,start,end,lang,heard,text,text_source\r\n";
}

std::string format_answer(const SearchAnswer& a, const std::vector<SearchHit>& hits, ExportFormat f) {
  const auto j = search_answer_json(a, hits, HitFiles::WithPath);
  const auto& results = j["results"];
  std::string out;
  switch (f) {
    case ExportFormat::Text: {
      for (const auto& t : a.translations) out += "also searched as (apertium, " + t.lang + "): \"" + t.text + "\"\n";
      if (hits.empty()) out += "no results (is the index empty, or --lang too narrow?)\n";
      int r = 0;
      for (const auto& h : hits) {
        char line[96];
        std::snprintf(line, sizeof line, "%2d. %.3f  ", ++r, h.score);
        out += line + h.segment.path + "  " + clock_time(h.segment.start) + "-" + clock_time(h.segment.end);
        if (!h.segment.lang.empty()) out += "  [" + h.segment.lang + "]";
        out += "\n";
        if (!h.segment.text.empty()) out += "      text (from the manifest): \"" + h.segment.text + "\"\n";
        if (!h.heard.empty()) out += "      heard: /" + marked_heard(h) + "/\n";
      }
      break;
    }
    case ExportFormat::Json:
      out = j.dump(2) + "\n";
      break;
    case ExportFormat::Jsonl:
      // An answer with no hit still gets a line, so every query is accounted for.
      if (results.empty()) {
        out = j.dump() + "\n";
        break;
      }
      for (const auto& h : results) {
        nlohmann::json line = {{"query", a.query}, {"query_lang", a.query_lang}, {"mode", a.mode}};
        if (!a.notice.empty()) line["notice"] = a.notice;
        if (!a.translations.empty()) line["translations"] = j["translations"];
        for (const auto& [k, v] : h.items()) line[k] = v;
        out += line.dump() + "\n";
      }
      break;
    case ExportFormat::Csv:
      for (const auto& h : results) {
        const std::vector<std::string> row = {a.query, a.query_lang, a.mode, json_scalar(h["rank"]),
                                              json_scalar(h["score"]), json_scalar(h["name"]),
                                              json_scalar(h.value("path", nlohmann::json(""))),
                                              json_scalar(h["start"]), json_scalar(h["end"]), json_scalar(h["lang"]),
                                              json_scalar(h["heard"]), json_scalar(h["text"]),
                                              json_scalar(h.value("text_source", nlohmann::json("")))};
        for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + csv_field(row[i]);
        out += "\r\n";
      }
      break;
    case ExportFormat::Srt:
    case ExportFormat::Vtt: {
      // Cues in time order (players expect it); the rank stays in the text.
      std::vector<const nlohmann::json*> cues;
      for (const auto& h : results) cues.push_back(&h);
      std::stable_sort(cues.begin(), cues.end(), [](const nlohmann::json* x, const nlohmann::json* y) {
        return (*x)["start"].get<double>() < (*y)["start"].get<double>();
      });
      const bool srt = f == ExportFormat::Srt;
      if (!srt) out = "WEBVTT\n\n";
      int n = 0;
      for (const auto* h : cues) {
        out += std::to_string(++n) + "\n" + subtitle_time((*h)["start"].get<double>(), srt ? ',' : '.') + " --> " +
               subtitle_time((*h)["end"].get<double>(), srt ? ',' : '.') + "\n" + cue_text(a, *h) + "\n\n";
      }
      break;
    }
  }
  return out;
}

}  // namespace clasp
