#pragma once
// What the server accepts of a request's query parameters and Range header,
// apart from the server itself so the fuzz harness (fuzz/fuzz_http_request.cpp)
// can reach it with cpp-httplib's own parsing in front.
#include <httplib.h>

#include <cstddef>
#include <string>

#include "index/audio_index.h"

namespace clasp {

// At most this many byte ranges per request, none overlapping and each
// inside the file: media players ask for one; 700 overlapping ones would
// make a reply thousands of times the file's size.
constexpr size_t kMaxRanges = 4;

// A whole-number parameter of at most 4 digits in [lo, hi]: "5abc", " 7",
// "1e9" and "-1" are refused (Error naming the parameter), not read as far as they parse.
size_t count_param(const httplib::Request& req, const char* name, size_t lo, size_t hi);

// k, lang, approx and rerank of a search request.
SearchOptions options_from(const httplib::Request& req);

// "" when the request's ranges can be served, else why not (the reply is 416).
// size SIZE_MAX: the content's size is not known yet (count and overlap only).
std::string range_problem(const httplib::Ranges& ranges, size_t size);

}  // namespace clasp
