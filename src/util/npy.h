#pragma once
#include <string>
#include <vector>

namespace clasp {

// Writes a float32 array of shape (rows, cols) in NumPy .npy format (v1.0).
void write_npy_f32(const std::string& path, const std::vector<float>& data, size_t rows, size_t cols);

}  // namespace clasp
