#pragma once
// Shared by the fuzz targets (not part of the clasp build).
//
// Policy of every target: an input the code refuses with clasp::Error is a
// good outcome (that is how clasp reports bad input). Any other exception
// escapes LLVMFuzzerTestOneInput, libFuzzer reports it as a crash, and so do
// ASan/UBSan reports, leaks, timeouts and oversized allocations. Invariants a
// target checks on accepted inputs go through CLASP_FUZZ_CHECK, which aborts.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#define CLASP_FUZZ_CHECK(cond)                                                               \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace clasp_fuzz {

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// A private temporary file (under $TMPDIR), rewritten with each input, for the
// parsers that only read paths (libsndfile, the lexicon loader).
class TempFile {
 public:
  explicit TempFile(const char* stem) {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (std::string("clasp-fuzz-") + stem + "-XXXXXX")).string();
    const int fd = mkstemp(tmpl.data());
    if (fd < 0) {
      std::perror("clasp-fuzz: mkstemp");
      std::abort();
    }
    ::close(fd);
    path_ = tmpl;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& write(const std::string& bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::fprintf(stderr, "clasp-fuzz: cannot write %s\n", path_.c_str());
      std::abort();
    }
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace clasp_fuzz
