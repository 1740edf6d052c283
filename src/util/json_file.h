#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace clasp {

// Parses a JSON file; clasp::Error "<path>: not valid JSON (...)" when it is
// not, and the read_file errors (missing, too large) otherwise.
nlohmann::json read_json_file(const std::string& path, size_t max_bytes = 1 << 20);

}  // namespace clasp
