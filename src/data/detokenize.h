#pragma once
#include <string>
#include <vector>

namespace clasp {

struct BrownToken {
  std::string word;
  std::string tag;
};

// Splits "word/tag" tokens of one Brown form-C line (the tag is after the
// last '/', since words such as "1/2" contain slashes).
std::vector<BrownToken> split_brown_tokens(const std::string& line);

// Joins tokens into natural text: ``/'' become double quotes, punctuation
// attaches to its neighbour, "--" becomes a spaced dash.
std::string detokenize(const std::vector<BrownToken>& tokens);

}  // namespace clasp
