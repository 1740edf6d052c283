#include "data/detokenize.h"

#include <sstream>

namespace clasp {

std::vector<BrownToken> split_brown_tokens(const std::string& line) {
  std::vector<BrownToken> out;
  std::istringstream in(line);
  std::string tok;
  while (in >> tok) {
    auto slash = tok.rfind('/');
    if (slash == std::string::npos || slash == 0) {
      out.push_back({tok, ""});
    } else {
      out.push_back({tok.substr(0, slash), tok.substr(slash + 1)});
    }
  }
  return out;
}

namespace {
bool attaches_left(const std::string& w) {
  return w == "," || w == "." || w == ";" || w == ":" || w == "?" || w == "!" || w == ")" ||
         w == "''" || w == "'" || w == "]" || w == "%";
}
bool attaches_right(const std::string& w) { return w == "``" || w == "(" || w == "[" || w == "$"; }
}  // namespace

std::string detokenize(const std::vector<BrownToken>& tokens) {
  std::string out;
  bool glue_next = true;  // no space before the first token
  for (const auto& t : tokens) {
    std::string w = t.word;
    if (w == "``" || w == "''") w = "\"";
    if (t.word == "--") w = "-";
    // "Jr./np ./." would read "Jr.." — one full stop is enough.
    if (t.word == "." && !out.empty() && out.back() == '.') continue;
    bool left = attaches_left(t.word);
    if (!glue_next && !left) out += ' ';
    out += w;
    glue_next = attaches_right(t.word);
  }
  return out;
}

}  // namespace clasp
