#include "cli/usage_errors.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "speech/phoneme_vocab.h"

namespace clasp::cli {

namespace {

std::vector<int64_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<CLI::App*> all_subcommands(CLI::App* app) {
  return app->get_subcommands([](CLI::App*) { return true; });
}

CLI::App* subcommand_named(CLI::App* app, const std::string& word) {
  for (auto* s : all_subcommands(app))
    if (s->check_name(word)) return s;
  return nullptr;
}

// The command the words before the first flag select (the app itself for none).
CLI::App* selected_command(CLI::App& app, const std::vector<std::string>& args) {
  CLI::App* cur = &app;
  for (const auto& w : args) {
    if (!w.empty() && w[0] == '-') break;
    auto* next = subcommand_named(cur, w);
    if (!next) break;
    cur = next;
  }
  return cur;
}

std::string command_path(CLI::App* app) {
  std::string p;
  for (auto* a = app; a; a = a->get_parent()) p = a->get_name() + (p.empty() ? "" : " " + p);
  return p;
}

}  // namespace

std::string closest_name(const std::string& typed, const std::vector<std::string>& names) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const auto& n : names) {
    const size_t longer = std::max(n.size(), typed.size());
    const size_t d = edit_distance(bytes_of(typed), bytes_of(n));
    if (d <= longer / 3 + 1 && d < longer && d < best_d) best_d = d, best = n;
  }
  return best;
}

std::optional<std::string> unknown_command_word(CLI::App& app, const std::vector<std::string>& args) {
  CLI::App* cur = &app;
  for (const auto& w : args) {
    if (!w.empty() && w[0] == '-') return std::nullopt;
    auto subs = all_subcommands(cur);
    if (subs.empty()) return std::nullopt;
    if (auto* next = subcommand_named(cur, w)) {
      cur = next;
      continue;
    }
    if (cur->get_require_subcommand_min() == 0) return std::nullopt;  // the word is an argument
    std::vector<std::string> names;
    for (auto* s : subs) names.push_back(s->get_name());
    std::string msg = "'" + w + "' is not a command of '" + command_path(cur) + "'";
    if (auto s = closest_name(w, names); !s.empty()) msg += "; did you mean '" + s + "'?";
    return msg + "\nRun '" + command_path(cur) + " --help' for the list of commands.";
  }
  return std::nullopt;
}

int report_parse_error(CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args) {
  const int code = e.get_exit_code();
  if (code == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help, --version
  CLI::App* cmd = selected_command(app, args);
  std::fprintf(stderr, "error: %s\n", e.what());
  // A flag the command does not have: the nearest one it does.
  std::vector<std::string> flags;
  for (const auto* o : cmd->get_options())
    for (const auto& n : o->get_lnames()) flags.push_back("--" + n);
  bool unknown_flag = false;
  for (const auto& w : args)
    if (w.rfind("--", 0) == 0 && w.size() > 2) {
      const std::string name = w.substr(0, w.find('='));
      if (std::find(flags.begin(), flags.end(), name) != flags.end()) continue;
      unknown_flag = true;
      std::string hint = closest_name(name, flags);
      std::fprintf(stderr, "'%s' is not an option of '%s'%s\n", name.c_str(), command_path(cmd).c_str(),
                   hint.empty() ? "" : ("; did you mean '" + hint + "'?").c_str());
    }
  if (!unknown_flag && dynamic_cast<const CLI::ExtrasError*>(&e))
    std::fprintf(stderr, "(a query or name of several words goes in quotes: \"...\")\n");
  std::fprintf(stderr, "Run '%s --help' for its options.\n", command_path(cmd).c_str());
  return kExitUsage;
}

}  // namespace clasp::cli
