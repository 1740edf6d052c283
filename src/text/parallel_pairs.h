#pragma once
// English sentences grouped with their translations, from a manifest made
// by `clasp data translate` (translations carry source_id).
#include <map>
#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

struct ParallelGroup {
  std::string id;  // English utterance id
  std::string english;
  std::map<std::string, std::string> translations;  // lang -> text
};

// Groups of one split ("" = all), in manifest order; groups without any
// translation are left out.
std::vector<ParallelGroup> parallel_groups(const std::vector<Utterance>& utts, const std::string& split);

}  // namespace clasp
