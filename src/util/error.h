#pragma once
// One exception type for every user-facing failure: the message names the
// file or field at fault and what was expected, and the CLI prints it as is.
#include <stdexcept>
#include <string>

namespace clasp {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

// "path: message" — the convention for errors about a file.
[[noreturn]] void fail_file(const std::string& path, const std::string& msg);

}  // namespace clasp
