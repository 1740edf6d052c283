#pragma once
// The CLI's progress bar: every Progress of the library drawn on standard
// error, redrawn in place on a terminal and a plain line every 10 s
// otherwise (CI logs).
namespace clasp::cli {

void use_terminal_progress();

}  // namespace clasp::cli
