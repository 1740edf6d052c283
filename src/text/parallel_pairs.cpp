#include "text/parallel_pairs.h"

#include <unordered_map>

namespace clasp {

std::vector<ParallelGroup> parallel_groups(const std::vector<Utterance>& utts, const std::string& split) {
  std::vector<ParallelGroup> groups;
  std::unordered_map<std::string, size_t> index;
  for (const auto& u : utts) {
    if (u.lang != "en" || !u.source_id.empty() || (!split.empty() && u.split != split)) continue;
    index[u.id] = groups.size();
    groups.push_back({u.id, u.text, {}});
  }
  for (const auto& u : utts) {
    if (u.source_id.empty()) continue;
    auto it = index.find(u.source_id);
    if (it != index.end()) groups[it->second].translations[u.lang] = u.text;
  }
  std::vector<ParallelGroup> out;
  for (auto& g : groups)
    if (!g.translations.empty()) out.push_back(std::move(g));
  return out;
}

}  // namespace clasp
