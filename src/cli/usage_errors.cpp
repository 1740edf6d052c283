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

bool is_flag(const std::string& word) { return !word.empty() && word[0] == '-'; }

// The command the leading command words select (the app itself for none),
// and the index of the first word that is not one of them.
struct CommandWords {
  CLI::App* command;
  size_t stop;
};
CommandWords command_words(CLI::App& app, const std::vector<std::string>& args) {
  CommandWords w{&app, 0};
  for (; w.stop < args.size() && !is_flag(args[w.stop]); ++w.stop) {
    auto* next = subcommand_named(w.command, args[w.stop]);
    if (!next) break;
    w.command = next;
  }
  return w;
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
  const auto [cur, stop] = command_words(app, args);
  if (stop == args.size() || is_flag(args[stop])) return std::nullopt;
  const auto subs = all_subcommands(cur);
  // A command without subcommands, or one that may run without: the word is an argument.
  if (subs.empty() || cur->get_require_subcommand_min() == 0) return std::nullopt;
  const std::string& w = args[stop];
  std::vector<std::string> names;
  for (auto* s : subs) names.push_back(s->get_name());
  std::string msg = "'" + w + "' is not a command of '" + command_path(cur) + "'";
  if (auto s = closest_name(w, names); !s.empty()) msg += "; did you mean '" + s + "'?";
  return msg + "\nRun '" + command_path(cur) + " --help' for the list of commands.";
}

int report_parse_error(CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args) {
  const int code = e.get_exit_code();
  if (code == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help, --version
  CLI::App* cmd = command_words(app, args).command;
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
