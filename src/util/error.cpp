#include "util/error.h"

namespace clasp {

void fail_file(const std::string& path, const std::string& msg) {
  throw Error(path + ": " + msg);
}

}  // namespace clasp
