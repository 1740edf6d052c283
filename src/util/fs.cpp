#include "util/fs.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/error.h"

namespace clasp {

std::string read_file(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail_file(path, "no such file");
  if (std::filesystem::is_directory(path, ec)) fail_file(path, "is a directory, expected a file");
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && max_bytes && size > max_bytes)
    fail_file(path, "file is " + std::to_string(size) + " bytes, more than the limit of " +
                        std::to_string(max_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_file(path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file_atomic(const std::string& path, const std::string& data) {
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail_file(tmp, std::string("cannot write: ") + std::strerror(errno));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) fail_file(tmp, "write failed (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) fail_file(path, "cannot rename temporary file into place: " + ec.message());
}

std::string file_stamp(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "none";
  auto t = std::filesystem::last_write_time(path).time_since_epoch().count();
  return std::to_string(std::filesystem::file_size(path)) + "@" + std::to_string(t);
}

void require_path_component(const std::string& name, const std::string& what) {
  if (name.empty() || name.size() > 200 || name[0] == '.' ||
      name.find_first_of(std::string("/\\\0", 3)) != std::string::npos)
    throw Error(what + " \"" + name.substr(0, 80) +
                "\" cannot be a file name: expected 1-200 bytes, no '/', '\\' or NUL, not starting with '.'");
}

}  // namespace clasp
