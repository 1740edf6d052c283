#pragma once
// Each cmd_*.cpp adds its subcommands to the app; main() runs them.
namespace CLI {
class App;
}

namespace clasp::cli {

void add_audio_commands(CLI::App& app);
void add_data_commands(CLI::App& app);
// `data import-asterisk` (cmd_import.cpp), added under `data`.
void add_import_commands(CLI::App& data);
// `data import-klettres` (cmd_klettres.cpp), added under `data`.
void add_klettres_commands(CLI::App& data);
// `data parallel` (cmd_parallel.cpp), added under `data`.
void add_parallel_commands(CLI::App& data);
void add_bench_command(CLI::App& app);
void add_text_commands(CLI::App& app);
void add_speech_commands(CLI::App& app);
void add_clasp_commands(CLI::App& app);
void add_index_commands(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_product_bench_commands(CLI::App& app);
void add_baseline_commands(CLI::App& app);
void add_report_commands(CLI::App& app);
// `reference import | embed` (cmd_reference.cpp): the CLASP authors' fusion encoder.
void add_reference_commands(CLI::App& app);

}  // namespace clasp::cli
