#pragma once
// Whitespace clean-up shared by the corpus importers.
#include <string>

namespace clasp {

// Without leading and trailing spaces, tabs and line ends.
std::string trim_space(const std::string& s);
// Runs of spaces, tabs and line ends -> one space; none at either end.
std::string collapse_spaces(const std::string& s);

}  // namespace clasp
