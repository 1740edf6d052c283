#pragma once
#include <string>

namespace clasp {

// A path inside the project tree (shipped models, the npm corpus). Uses the
// source directory the build was configured from, so the tool works from
// any working directory; falls back to a relative path.
std::string project_path(const std::string& relative);

// A relative path that does not exist from the working directory but does
// inside the project (e.g. the default "models/clasp-default" when run from
// elsewhere) -> the project's; anything else unchanged.
std::string resolve_project_relative(const std::string& path);

}  // namespace clasp
