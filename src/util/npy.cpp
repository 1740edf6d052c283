#include "util/npy.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/error.h"
#include "util/fs.h"

namespace clasp {

namespace {
// Magic, version 1.0, header length and the header dict, padded with spaces
// to `total` bytes (0 = the least multiple of 64 that holds it, as the format asks).
std::string npy_f32_header(size_t rows, size_t cols, size_t total = 0) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                     std::to_string(cols) + "), }";
  if (total == 0) total = (10 + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - 10 - dict.size() - 1, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  const auto hl = static_cast<uint16_t>(dict.size());
  out.push_back(static_cast<char>(hl & 0xFF));
  out.push_back(static_cast<char>(hl >> 8));
  return out + dict;
}
// Header bytes for any row count: room for a 20-digit count, a multiple of 64.
constexpr size_t kStreamHeader = 128;
}  // namespace

void write_npy_f32(const std::string& path, const std::vector<float>& data, size_t rows, size_t cols) {
  if (data.size() != rows * cols) throw Error(path + ": npy shape does not match data size");
  std::string out = npy_f32_header(rows, cols);
  out.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float));
  write_file_atomic(path, out);
}

NpyF32Writer::NpyF32Writer(const std::string& path, size_t cols)
    : path_(path), tmp_(path + ".tmp." + std::to_string(::getpid())), cols_(cols) {
  f_ = std::fopen(tmp_.c_str(), "wb");
  if (!f_) fail_file(tmp_, std::string("cannot write: ") + std::strerror(errno));
  const std::string placeholder(kStreamHeader, ' ');
  if (std::fwrite(placeholder.data(), 1, placeholder.size(), f_) != placeholder.size())
    fail_file(tmp_, "write failed (disk full?)");
}

NpyF32Writer::~NpyF32Writer() {
  if (!f_) return;
  std::fclose(f_);
  std::error_code ec;
  std::filesystem::remove(tmp_, ec);
}

void NpyF32Writer::add_row(const std::vector<float>& row) {
  if (!f_) throw Error(path_ + ": rows added after the file was finished");
  if (row.size() != cols_)
    throw Error(path_ + ": a row of " + std::to_string(row.size()) + " values, expected " + std::to_string(cols_));
  if (std::fwrite(row.data(), sizeof(float), row.size(), f_) != row.size()) fail_file(tmp_, "write failed (disk full?)");
  ++rows_;
}

void NpyF32Writer::finish() {
  if (!f_) return;
  const std::string header = npy_f32_header(rows_, cols_, kStreamHeader);
  const bool ok = std::fseek(f_, 0, SEEK_SET) == 0 && std::fwrite(header.data(), 1, header.size(), f_) == header.size();
  const bool closed = std::fclose(f_) == 0;
  f_ = nullptr;
  std::error_code ec;
  if (!ok || !closed) {
    std::filesystem::remove(tmp_, ec);
    fail_file(tmp_, "write failed (disk full?)");
  }
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) fail_file(path_, "cannot rename temporary file into place: " + ec.message());
}

}  // namespace clasp
