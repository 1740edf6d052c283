// Target: the JSON answers of `clasp search --json` and the server's API
// (src/index/search_json.*).
// Feeds: search answers built from the input with FuzzedDataProvider: a
// query (kept only when UTF-8, non-empty and at most 4 KiB, as
// Searcher::check_text_query requires before any answer is made), a query
// language as the request's qlang parameter sends it (any bytes), hits
// whose paths, languages, texts and heard transcripts are any bytes (they
// come from the index database), an AddReport with failure messages that
// quote file paths, and an IndexStatus; each is turned into JSON and dumped
// as send_json and the CLI do.
// Why: file names are bytes, not UTF-8, and request parameters are whatever
// a client sends; dumping must never throw (the server would answer 500 and
// the CLI stop) and the numbers must stay numbers.
// Not covered: the server's own parameter checks (count_param, options_from,
// range_problem in src/serve/http_server.cpp) are file-local to run_server's
// translation unit, which needs cpp-httplib, a Searcher and a model (libtorch).
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "fuzz_common.h"
#include "index/search_json.h"
#include "util/error.h"
#include "util/utf8.h"

namespace {

clasp::SearchHit make_hit(FuzzedDataProvider& in) {
  clasp::SearchHit h;
  h.segment.id = in.ConsumeIntegral<int64_t>();
  h.segment.file_id = in.ConsumeIntegral<int64_t>();
  h.segment.path = in.ConsumeRandomLengthString(128);
  h.segment.start = in.ConsumeFloatingPoint<double>();
  h.segment.end = in.ConsumeFloatingPoint<double>();
  h.segment.lang = in.ConsumeRandomLengthString(16);
  h.segment.text = in.ConsumeRandomLengthString(256);
  h.heard = in.ConsumeRandomLengthString(128);
  h.score = in.ConsumeFloatingPoint<float>();
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string query = in.ConsumeRandomLengthString(512);
  const std::string qlang = in.ConsumeRandomLengthString(32);
  const bool rerank = in.ConsumeBool();
  // The reasons Searcher::meaning_only_reason gives.
  std::string reason;
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: break;
    case 1: reason = "the model has no phoneme recogniser"; break;
    case 2: reason = "no query language given"; break;
    default: reason = "the model has not heard speech in '" + qlang + "' (it knows en, es)"; break;
  }
  const auto files = in.ConsumeBool() ? clasp::HitFiles::WithPath : clasp::HitFiles::NameOnly;
  const int first_rank = in.ConsumeIntegralInRange<int>(1, 901);  // the server's offset + 1
  std::vector<clasp::SearchHit> hits(in.ConsumeIntegralInRange<size_t>(0, 8));
  for (auto& h : hits) h = make_hit(in);

  if (!query.empty() && query.size() <= 4096 && clasp::find_invalid_utf8(query) == std::string::npos) {
    const clasp::SearchAnswer text = clasp::text_search_answer(query, qlang, rerank, reason);
    CLASP_FUZZ_CHECK(text.mode == (rerank && reason.empty() ? "meaning+sounds" : "meaning"));
    for (const auto& a : {text, clasp::SearchAnswer{query, "sounds", qlang, ""}}) {
      nlohmann::json j = clasp::search_answer_json(a, hits, files, first_rank);
      j["offset"] = first_rank - 1;
      j["more"] = false;
      const std::string out = j.dump();  // send_json
      CLASP_FUZZ_CHECK(j["results"].size() == hits.size());
      for (size_t i = 0; i < hits.size(); ++i) CLASP_FUZZ_CHECK(j["results"][i]["rank"] == first_rank + static_cast<int>(i));
    }
  }
  // An audio query's answer, as /api/search/audio sends it.
  clasp::search_answer_json({"", "audio", "", ""}, hits, clasp::HitFiles::NameOnly).dump();

  clasp::AddReport rep;
  rep.seen = in.ConsumeIntegral<uint32_t>();
  rep.audio_s = in.ConsumeFloatingPoint<double>();
  rep.wall_s = in.ConsumeFloatingPoint<double>();
  for (int i = in.ConsumeIntegralInRange<int>(0, 3); i > 0; --i)
    rep.failures.push_back(in.ConsumeRandomLengthString(64) + ": not a readable audio file");
  for (int i = in.ConsumeIntegralInRange<int>(0, 3); i > 0; --i)
    rep.no_speech.push_back(in.ConsumeRandomLengthString(64) + ": no speech found");
  clasp::add_report_to_json(rep).dump();  // `index add --json` and /api/add

  clasp::IndexStatus st;
  st.model.id = in.ConsumeRandomLengthString(32);
  st.model.version = in.ConsumeRandomLengthString(32);
  st.model.dir = in.ConsumeRandomLengthString(64);
  st.audio_s = in.ConsumeFloatingPoint<double>();
  for (int i = in.ConsumeIntegralInRange<int>(0, 3); i > 0; --i)
    st.languages.emplace_back(in.ConsumeRandomLengthString(8), in.ConsumeIntegral<uint32_t>());
  for (int i = in.ConsumeIntegralInRange<int>(0, 3); i > 0; --i)
    st.languages_heard.emplace_back(in.ConsumeRandomLengthString(8), in.ConsumeIntegral<uint32_t>());
  clasp::status_to_json(st).dump();  // `index status --json` and /api/status
  return 0;
}
