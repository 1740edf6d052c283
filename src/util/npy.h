#pragma once
#include <cstdio>
#include <string>
#include <vector>

namespace clasp {

// Writes a float32 array of shape (rows, cols) in NumPy .npy format (v1.0).
void write_npy_f32(const std::string& path, const std::vector<float>& data, size_t rows, size_t cols);

// Streams a float32 (rows, cols) .npy whose row count is known only at the
// end (e.g. an index export read row by row, never all in memory): rows go
// to a temporary file, finish() writes the header and renames it into
// place, so a killed export leaves no half-written file under `path`.
class NpyF32Writer {
 public:
  NpyF32Writer(const std::string& path, size_t cols);
  ~NpyF32Writer();  // an unfinished file is removed
  NpyF32Writer(const NpyF32Writer&) = delete;
  NpyF32Writer& operator=(const NpyF32Writer&) = delete;
  void add_row(const std::vector<float>& row);  // Error unless row.size() == cols
  void finish();
  size_t rows() const { return rows_; }

 private:
  std::string path_, tmp_;
  size_t cols_, rows_ = 0;
  std::FILE* f_ = nullptr;
};

}  // namespace clasp
