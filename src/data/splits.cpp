#include "data/splits.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "util/error.h"
#include "util/hash.h"

namespace clasp {

void assign_splits_by_document(std::vector<Utterance>& utts, uint64_t seed, SplitRatios ratios) {
  if (ratios.validation < 0 || ratios.test < 0 || ratios.validation + ratios.test >= 1.0)
    throw Error("split ratios: validation and test must be >= 0 and sum to less than 1");
  std::map<std::string, std::set<std::string>> docs_by_cat;
  for (const auto& u : utts) docs_by_cat[u.category].insert(u.doc);
  std::map<std::string, std::string> split_of_doc;
  for (auto& [cat, docs] : docs_by_cat) {
    std::vector<std::string> order(docs.begin(), docs.end());
    std::sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
      return seeded_hash(seed, a) < seeded_hash(seed, b);
    });
    size_t n = order.size();
    // Round, but keep at least one test document per category when there are 3+.
    size_t n_test = static_cast<size_t>(std::lround(n * ratios.test));
    size_t n_val = static_cast<size_t>(std::lround(n * ratios.validation));
    if (n >= 3 && ratios.test > 0) n_test = std::max<size_t>(n_test, 1);
    if (n >= 3 && ratios.validation > 0) n_val = std::max<size_t>(n_val, 1);
    for (size_t i = 0; i < n; ++i)
      split_of_doc[order[i]] = i < n_test ? "test" : i < n_test + n_val ? "validation" : "train";
  }
  for (auto& u : utts) u.split = split_of_doc[u.doc];
}

}  // namespace clasp
