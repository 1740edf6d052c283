#pragma once
// The JSON shape of search results, shared by `clasp search --json` and the
// server's API.
#include <nlohmann/json.hpp>
#include <vector>

#include "index/audio_index.h"

namespace clasp {

nlohmann::json hits_to_json(const std::vector<SearchHit>& hits);
nlohmann::json status_to_json(const IndexStatus& s);

}  // namespace clasp
