#include "util/paths.h"

#include <filesystem>

namespace clasp {

std::string project_path(const std::string& relative) {
#ifdef CLASP_SOURCE_DIR
  return std::string(CLASP_SOURCE_DIR) + "/" + relative;
#else
  return relative;
#endif
}

std::string resolve_project_relative(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty() || fs::path(path).is_absolute() || fs::exists(path)) return path;
  std::string p = project_path(path);
  return fs::exists(p) ? p : path;
}

}  // namespace clasp
