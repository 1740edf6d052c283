#pragma once
// Whitespace and case clean-up shared by the corpus importers and file-name checks.
#include <string>

namespace clasp {

// Without leading and trailing spaces, tabs and line ends.
std::string trim_space(const std::string& s);
// Runs of spaces, tabs and line ends -> one space; none at either end.
std::string collapse_spaces(const std::string& s);
// A-Z -> a-z; every other byte (UTF-8 included) unchanged.
std::string lower_ascii(std::string s);

}  // namespace clasp
