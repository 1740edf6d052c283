#include "data/merge_manifests.h"

#include <filesystem>
#include <unordered_map>

#include "util/error.h"

namespace fs = std::filesystem;

namespace clasp {

std::vector<Utterance> merge_manifests(const std::vector<std::string>& inputs, const std::string& out_path) {
  if (inputs.empty()) throw Error("merge: give at least one input manifest");
  const fs::path out_dir = fs::absolute(fs::path(out_path)).parent_path();
  std::vector<Utterance> all;
  std::unordered_map<std::string, std::string> seen;  // id -> file it came from
  for (const auto& in : inputs) {
    const fs::path in_dir = fs::absolute(fs::path(in)).parent_path();
    for (auto& u : read_manifest(in)) {
      auto [it, fresh] = seen.emplace(u.id, in);
      if (!fresh) throw Error(in + ": clip id \"" + u.id + "\" is also in " + it->second + "; ids must be unique");
      if (!u.audio.empty())
        u.audio = (in_dir / u.audio).lexically_normal().lexically_relative(out_dir).generic_string();
      all.push_back(std::move(u));
    }
  }
  write_manifest(out_path, all);
  return all;
}

}  // namespace clasp
