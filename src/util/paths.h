#pragma once
#include <string>

namespace clasp {

// A path inside the project tree (shipped models, the npm corpus). Uses the
// source directory the build was configured from, so the tool works from
// any working directory; falls back to a relative path.
std::string project_path(const std::string& relative);

}  // namespace clasp
