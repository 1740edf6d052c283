#pragma once
// Usage errors a person makes at the shell, answered the same way by every
// command: exit code 2 (0 success, 1 failure), the parser's message, and a
// "did you mean" for a mistyped command word or flag.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace clasp::cli {

constexpr int kExitOk = 0, kExitFailure = 1, kExitUsage = 2;

// A command's own check of its arguments failed (exit 2, not 1).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The closest of `names` to `typed` when it is close enough to be a typo
// (at most a third of its letters wrong, at least one right); else empty.
std::string closest_name(const std::string& typed, const std::vector<std::string>& names);

// Before parsing: a command word that names no subcommand where one is
// required (`clasp serach`, `clasp index ad`), as a message with a
// suggestion; nothing when the words are fine.
std::optional<std::string> unknown_command_word(CLI::App& app, const std::vector<std::string>& args);

// After a parse error: prints it (help and version go to stdout as asked)
// with a suggestion for an unknown flag, and returns the exit code.
int report_parse_error(CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args);

}  // namespace clasp::cli
