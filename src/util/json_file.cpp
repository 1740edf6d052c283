#include "util/json_file.h"

#include "util/error.h"
#include "util/fs.h"

namespace clasp {

nlohmann::json read_json_file(const std::string& path, size_t max_bytes) {
  std::string text = read_file(path, max_bytes);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail_file(path, std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace clasp
