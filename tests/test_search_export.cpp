// Search answers written as JSON, JSONL, CSV, SRT and WebVTT (no model needed).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "index/search_export.h"

using namespace clasp;

namespace {
SearchHit hit(int64_t id, const std::string& path, double start, double end, float score, const std::string& heard,
              const std::string& text = "") {
  SearchHit h;
  h.segment.id = id;
  h.segment.file_id = 1;
  h.segment.path = path;
  h.segment.start = start;
  h.segment.end = end;
  h.segment.lang = "en";
  h.segment.text = text;
  h.score = score;
  h.heard = heard;
  return h;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}
}  // namespace

TEST(SearchExport, FormatsAreNamedAndUnknownOnesRefused) {
  ExportFormat f;
  for (const auto& n : export_format_names()) EXPECT_TRUE(parse_export_format(n, &f)) << n;
  EXPECT_TRUE(parse_export_format("vtt", &f));
  EXPECT_EQ(f, ExportFormat::Vtt);
  EXPECT_FALSE(parse_export_format("xml", &f));
  EXPECT_FALSE(parse_export_format("SRT", &f));
}

TEST(SearchExport, SubtitleTimesCountHoursAndRoundToTheMillisecond) {
  EXPECT_EQ(subtitle_time(0, ','), "00:00:00,000");
  EXPECT_EQ(subtitle_time(61.2345, ','), "00:01:01,235");  // 61234.5 ms rounds half away from zero
  EXPECT_EQ(subtitle_time(3723.004, '.'), "01:02:03.004");
  EXPECT_EQ(subtitle_time(-1, '.'), "00:00:00.000");
}

TEST(SearchExport, CsvQuotesFieldsThatNeedItAndJsonlCarriesTheQueryOnEveryHit) {
  const SearchAnswer a{"say \"hi\", then go", "meaning+sounds", "en", ""};
  const std::vector<SearchHit> hits = {hit(7, "/r/one, two.wav", 1.5, 2.25, 0.91234f, "haɪ"),
                                       hit(3, "/r/b.wav", 0.1, 0.9, 0.5f, "", "line1\nline2")};
  const auto csv = csv_header() + format_answer(a, hits, ExportFormat::Csv);
  const auto rows = lines_of(csv);
  // header, first hit, second hit over two physical lines (a quoted line break)
  ASSERT_EQ(rows.size(), 4u) << csv;
  EXPECT_EQ(rows[0], "query,query_lang,mode,rank,score,name,path,start,end,lang,heard,text,text_source\r");
  EXPECT_EQ(rows[1], "\"say \"\"hi\"\", then go\",en,meaning+sounds,1,0.9123,\"one, two.wav\",\"/r/one, two.wav\",1.5,2.25,en,haɪ,,\r");
  EXPECT_EQ(rows[2], "\"say \"\"hi\"\", then go\",en,meaning+sounds,2,0.5,b.wav,/r/b.wav,0.1,0.9,en,,\"line1");
  EXPECT_EQ(rows[3], "line2\",manifest\r");

  const auto jl = lines_of(format_answer(a, hits, ExportFormat::Jsonl));
  ASSERT_EQ(jl.size(), 2u);
  for (size_t i = 0; i < jl.size(); ++i) {
    const auto j = nlohmann::json::parse(jl[i]);
    EXPECT_EQ(j["query"], a.query);
    EXPECT_EQ(j["query_lang"], "en");
    EXPECT_EQ(j["rank"], i + 1);
    EXPECT_EQ(j["segment_id"], hits[i].segment.id);
  }
  // A query without hits is still accounted for: one line, no results.
  const auto none = lines_of(format_answer(a, {}, ExportFormat::Jsonl));
  ASSERT_EQ(none.size(), 1u);
  const auto j = nlohmann::json::parse(none[0]);
  EXPECT_EQ(j["query"], a.query);
  EXPECT_TRUE(j["results"].empty());
}

TEST(SearchExport, SubtitlesHaveOneCuePerHitInTimeOrderAndNoTimingInTheText) {
  const SearchAnswer a{"a --> b\n\nc", "meaning", "", ""};
  const std::vector<SearchHit> hits = {hit(1, "/x/late.wav", 70.5, 72.0, 0.9f, "leɪt"),
                                       hit(2, "/x/early.wav", 3.25, 4.0, 0.8f, "ɜːli")};
  const auto srt = format_answer(a, hits, ExportFormat::Srt);
  const auto l = lines_of(srt);
  ASSERT_GE(l.size(), 10u) << srt;
  EXPECT_EQ(l[0], "1");
  EXPECT_EQ(l[1], "00:00:03,250 --> 00:00:04,000");  // the earlier span first, whatever its rank
  EXPECT_EQ(l[2], "#2 early.wav (score 0.8)");
  EXPECT_EQ(l[3], "a -> b");  // "-->" would read as a timing line; the blank line would end the cue
  EXPECT_EQ(l[4], "c");
  EXPECT_EQ(l[5], "heard: /ɜːli/");
  EXPECT_EQ(l[6], "");
  EXPECT_EQ(l[7], "2");
  EXPECT_EQ(l[8], "00:01:10,500 --> 00:01:12,000");
  size_t arrows = 0;
  for (size_t p = srt.find("-->"); p != std::string::npos; p = srt.find("-->", p + 1)) ++arrows;
  EXPECT_EQ(arrows, 2u) << "only the timing lines hold -->";

  const auto vtt = format_answer(a, hits, ExportFormat::Vtt);
  EXPECT_EQ(vtt.rfind("WEBVTT\n\n", 0), 0u) << vtt;
  EXPECT_NE(vtt.find("00:00:03.250 --> 00:00:04.000"), std::string::npos) << vtt;
  EXPECT_EQ(format_answer(a, {}, ExportFormat::Vtt), "WEBVTT\n\n");
}

TEST(SearchExport, TextSaysWhereTheTextComesFrom) {
  const SearchAnswer a{"q", "meaning", "", ""};
  const auto t = format_answer(a, {hit(1, "/x/a.wav", 75.5, 77, 0.25f, "haɪ", "Hi there")}, ExportFormat::Text);
  EXPECT_NE(t.find(" 1. 0.250  /x/a.wav  1:15.50-1:17.00  [en]"), std::string::npos) << t;
  EXPECT_NE(t.find("text (from the manifest): \"Hi there\""), std::string::npos) << t;
  EXPECT_NE(t.find("heard: /haɪ/"), std::string::npos) << t;
  EXPECT_NE(format_answer(a, {}, ExportFormat::Text).find("no results"), std::string::npos);
  // Where the query was heard, in code points, bracketed in text and given in JSON.
  auto marked = hit(2, "/x/b.wav", 1, 2, 0.5f, "ðə ʃɪp seɪld", "");
  marked.heard_match_begin = 3;
  marked.heard_match_end = 6;
  EXPECT_NE(format_answer(a, {marked}, ExportFormat::Text).find("heard: /ðə [ʃɪp] seɪld/"), std::string::npos);
  const auto j = nlohmann::json::parse(format_answer(a, {marked}, ExportFormat::Json));
  EXPECT_EQ(j["results"][0]["heard_match"], nlohmann::json::array({3, 6}));
  EXPECT_FALSE(nlohmann::json::parse(format_answer(a, {hit(1, "/x/a.wav", 0, 1, 0.1f, "haɪ", "")}, ExportFormat::Json))
                   ["results"][0]
                       .contains("heard_match"));
}
