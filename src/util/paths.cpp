#include "util/paths.h"

namespace clasp {

std::string project_path(const std::string& relative) {
#ifdef CLASP_SOURCE_DIR
  return std::string(CLASP_SOURCE_DIR) + "/" + relative;
#else
  return relative;
#endif
}

}  // namespace clasp
