#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/terminal_progress.h"
#include "cli/usage_errors.h"
#include "util/blas_kernel.h"
#include "util/logging.h"
#include "util/malloc_tuning.h"
#include "util/error.h"

int main(int argc, char** argv) {
  clasp::log_to_stderr();
  clasp::cli::use_terminal_progress();
  // Before any matrix product: the OpenBLAS kernel for this CPU (util/blas_kernel.h).
  clasp::select_blas_kernel();
  clasp::tune_malloc_for_tensors();
  CLI::App app{"clasp: multilingual spoken-content retrieval (CLASP)", "clasp"};
  app.footer("Exit status: 0 success, 1 failure (a command that could not do its work, e.g. an index add where "
             "every file failed), 2 usage error (unknown command or option, bad value).");
  app.require_subcommand(1);
  app.set_version_flag("--version", "clasp 0.1.0");
  clasp::cli::add_audio_commands(app);
  clasp::cli::add_data_commands(app);
  clasp::cli::add_text_commands(app);
  clasp::cli::add_speech_commands(app);
  clasp::cli::add_clasp_commands(app);
  clasp::cli::add_index_commands(app);
  clasp::cli::add_serve_command(app);
  clasp::cli::add_product_bench_commands(app);
  clasp::cli::add_baseline_commands(app);
  clasp::cli::add_report_commands(app);
  clasp::cli::add_reference_commands(app);
  clasp::cli::add_bench_command(app);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (auto why = clasp::cli::unknown_command_word(app, args)) {
    std::fprintf(stderr, "error: %s\n", why->c_str());
    return clasp::cli::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return clasp::cli::report_parse_error(app, e, args);
  } catch (const clasp::cli::UsageError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return clasp::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return clasp::cli::kExitFailure;
  }
  return clasp::cli::kExitOk;
}
