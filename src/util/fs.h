#pragma once
#include <string>

namespace clasp {

// Reads a whole file; clasp::Error naming the path when it cannot.
// max_bytes guards against pathological inputs (0 = no limit).
std::string read_file(const std::string& path, size_t max_bytes = 0);

// Writes via a temporary file and rename(), so a killed process never
// leaves a half-written file under the final name.
void write_file_atomic(const std::string& path, const std::string& data);

// "size@mtime" of a file ("none" when missing): a cheap stamp for cache keys
// that must change when the file does.
std::string file_stamp(const std::string& path);

// Throws clasp::Error naming `what` unless `name` can be one component of a
// path: non-empty, at most 200 bytes, no '/', '\\' or NUL, not starting with
// '.' (so never "." or ".."). For ids and language codes that become file names.
void require_path_component(const std::string& name, const std::string& what);

}  // namespace clasp
