#include "util/npy.h"

#include <cstring>

#include "util/error.h"
#include "util/fs.h"

namespace clasp {

void write_npy_f32(const std::string& path, const std::vector<float>& data, size_t rows, size_t cols) {
  if (data.size() != rows * cols) throw Error(path + ": npy shape does not match data size");
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) +
                       ", " + std::to_string(cols) + "), }";
  // Magic (6) + version (2) + header length (2) + header, padded to 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  uint16_t hl = static_cast<uint16_t>(header.size());
  out.push_back(static_cast<char>(hl & 0xFF));
  out.push_back(static_cast<char>(hl >> 8));
  out += header;
  out.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float));
  write_file_atomic(path, out);
}

}  // namespace clasp
