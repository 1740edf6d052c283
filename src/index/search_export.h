#pragma once
// Search answers as files other tools read: JSON (the API's shape), JSONL
// (one hit per line, each carrying its query), CSV (RFC 4180, one row per
// hit), and SubRip / WebVTT subtitles whose cues are the hits' spans, so a
// player shows where in a recording the query is said.
#include <string>
#include <vector>

#include "index/search_json.h"

namespace clasp {

enum class ExportFormat { Text, Json, Jsonl, Csv, Srt, Vtt };

// "text", "json", "jsonl", "csv", "srt", "vtt"; false for anything else.
bool parse_export_format(const std::string& name, ExportFormat* out);
// The names above, for help texts and errors.
const std::vector<std::string>& export_format_names();

// One answer in format f. Text is what `clasp search` prints for people;
// CSV rows come without the header: write csv_header() once before the
// rows of one or several answers.
std::string format_answer(const SearchAnswer& a, const std::vector<SearchHit>& hits, ExportFormat f);
std::string csv_header();

// m:ss.cc, as the text format shows a span's ends.
std::string clock_time(double seconds);
// Subtitle timestamps: 1:02:03,004 style (SRT: ',' before the ms, VTT: '.').
std::string subtitle_time(double seconds, char ms_separator);

}  // namespace clasp
