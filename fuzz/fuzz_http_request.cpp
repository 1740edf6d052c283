// Target: what the server accepts of a request (src/serve/request_checks.*):
// the search parameters and the Range header of /audio/<id>, behind
// cpp-httplib's own parsers (parse_query_text, parse_range_header), as a
// request from the network reaches them.
// Feeds: the input's first line as a query string ("q=...&k=5&rerank=50"),
// the rest as a Range header value ("bytes=0-99, -500"), checked against
// files of 0, 1, 1,000 and 2^40 bytes and of unknown size.
// Why: these are the bytes any client controls without a token. A bad
// parameter must be a clasp::Error naming it; a Range that passes must lie
// inside the file, number at most kMaxRanges and not overlap (700 overlapping
// ranges once made a 21 GB reply).
#include <httplib.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "serve/request_checks.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in = clasp_fuzz::as_string(data, size);
  const size_t nl = in.find('\n');
  const std::string query = in.substr(0, nl), range = nl == std::string::npos ? "" : in.substr(nl + 1);
  httplib::Request req;
  httplib::detail::parse_query_text(query, req.params);
  try {
    const auto o = clasp::options_from(req);
    CLASP_FUZZ_CHECK(o.k >= 1 && o.k <= 100);
    CLASP_FUZZ_CHECK(o.rerank <= 1000);
  } catch (const clasp::Error&) {
  }
  httplib::Ranges ranges;
  if (!httplib::detail::parse_range_header(range, ranges)) return 0;  // the library answers 416 itself
  for (const size_t file : {size_t{0}, size_t{1}, size_t{1000}, size_t{1} << 40, SIZE_MAX}) {
    if (!clasp::range_problem(ranges, file).empty() || file == SIZE_MAX) continue;
    CLASP_FUZZ_CHECK(ranges.size() <= clasp::kMaxRanges);
    std::vector<std::pair<size_t, size_t>> spans;
    for (const auto& [a, b] : ranges) {
      // The span the server will send, as cpp-httplib computes it.
      size_t first, last;
      if (a < 0) {
        CLASP_FUZZ_CHECK(b > 0);
        first = file - std::min<size_t>(static_cast<size_t>(b), file);
        last = file - 1;
      } else {
        first = static_cast<size_t>(a);
        last = b < 0 ? file - 1 : std::min<size_t>(static_cast<size_t>(b), file - 1);
      }
      CLASP_FUZZ_CHECK(first <= last && last < file);
      spans.emplace_back(first, last);
    }
    std::sort(spans.begin(), spans.end());
    for (size_t i = 1; i < spans.size(); ++i) CLASP_FUZZ_CHECK(spans[i].first > spans[i - 1].second);
  }
  return 0;
}
