#pragma once
#include <string>
#include <vector>

namespace clasp {

struct ProcessResult {
  int exit_code = -1;     // -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv[0] (searched in PATH) with `input` on stdin and collects stdout
// and stderr without deadlocking on full pipes. The child is killed after
// timeout_s seconds (0 = no limit). Throws clasp::Error when it cannot start.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          double timeout_s = 0);

// True when `name` is an executable found in PATH.
bool program_exists(const std::string& name);

}  // namespace clasp
