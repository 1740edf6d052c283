#include "models/safetensors.h"

#include <fstream>

#include <cstring>
#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>

#include "util/hash.h"
#include "util/error.h"
#include "util/fs.h"

namespace clasp {

namespace {
struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
  size_t size;
};
const DtypeInfo kDtypes[] = {
    {"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2}, {"BF16", torch::kBFloat16, 2},
    {"F64", torch::kFloat64, 8}, {"I64", torch::kInt64, 8},   {"I32", torch::kInt32, 4},
    {"I16", torch::kInt16, 2},   {"I8", torch::kInt8, 1},     {"U8", torch::kUInt8, 1},
    {"BOOL", torch::kBool, 1}};

const DtypeInfo* by_name(const std::string& n) {
  for (const auto& d : kDtypes)
    if (n == d.name) return &d;
  return nullptr;
}
const DtypeInfo* by_type(torch::ScalarType t) {
  for (const auto& d : kDtypes)
    if (t == d.type) return &d;
  return nullptr;
}
}  // namespace

namespace {
// The JSON header alone, without reading the tensors.
nlohmann::json read_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char len[8];
  if (!in.read(reinterpret_cast<char*>(len), 8)) fail_file(path, "too short for a safetensors file");
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; --i) hlen = (hlen << 8) | len[i];
  if (hlen > (100u << 20)) fail_file(path, "corrupt safetensors header length");
  std::string header(hlen, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(hlen))) fail_file(path, "truncated safetensors header");
  try {
    auto j = nlohmann::json::parse(header);
    if (!j.is_object()) fail_file(path, "safetensors header is not a JSON object of tensors");
    return j;
  } catch (const nlohmann::json::exception& e) {
    fail_file(path, std::string("bad safetensors header: ") + e.what());
  }
}
}  // namespace

int64_t safetensors_element_count(const std::string& path) {
  int64_t n = 0;
  const auto header = read_header(path);  // kept alive: items() refers to it
  for (auto& [name, t] : header.items()) {
    if (name == "__metadata__") continue;
    if (!t.is_object() || !t.contains("shape") || !t["shape"].is_array())
      fail_file(path, "tensor \"" + name + "\" has no shape");
    int64_t numel = 1;
    for (const auto& d : t["shape"]) {
      if (!d.is_number_unsigned() || d.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
        fail_file(path, "tensor \"" + name + "\": shape must hold whole numbers");
      if (__builtin_mul_overflow(numel, d.get<int64_t>(), &numel))
        fail_file(path, "tensor \"" + name + "\": shape too large");
    }
    if (__builtin_add_overflow(n, numel, &n)) fail_file(path, "more elements than can be counted");
  }
  return n;
}

std::map<std::string, std::string> load_safetensors_metadata(const std::string& path) {
  std::map<std::string, std::string> out;
  try {
    auto j = read_header(path);
    if (j.contains("__metadata__"))
      for (auto& [k, v] : j["__metadata__"].items()) out[k] = v.get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    fail_file(path, std::string("bad safetensors header: ") + e.what());
  }
  return out;
}

std::map<std::string, torch::Tensor> load_safetensors(const std::string& path, uint64_t* bytes_hash) {
  std::string bytes = read_file(path);
  if (bytes_hash) *bytes_hash = fnv1a64(bytes);
  if (bytes.size() < 8) fail_file(path, "too short for a safetensors file");
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; --i) hlen = (hlen << 8) | static_cast<unsigned char>(bytes[i]);
  if (hlen > bytes.size() - 8 || hlen > (100u << 20)) fail_file(path, "corrupt safetensors header length");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.substr(8, hlen));
  } catch (const nlohmann::json::exception& e) {
    fail_file(path, std::string("safetensors header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) fail_file(path, "safetensors header is not a JSON object of tensors");
  const size_t base = 8 + hlen, data_len = bytes.size() - base;
  std::map<std::string, torch::Tensor> out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const auto& t = it.value();
    const std::string where = "tensor \"" + it.key() + "\"";
    if (!t.is_object() || !t.contains("dtype") || !t.contains("shape") || !t.contains("data_offsets"))
      fail_file(path, where + " lacks dtype, shape or data_offsets");
    // Types checked here, so a damaged header is an error naming the file,
    // not a JSON library exception.
    if (!t["dtype"].is_string()) fail_file(path, where + ": dtype must be a string");
    auto whole_numbers = [&](const nlohmann::json& v, const char* field) {
      if (!v.is_array() || !std::all_of(v.begin(), v.end(), [](const auto& x) { return x.is_number_unsigned(); }))
        fail_file(path, where + ": " + field + " must be an array of whole numbers >= 0");
    };
    whole_numbers(t["shape"], "shape");
    whole_numbers(t["data_offsets"], "data_offsets");
    const DtypeInfo* d = by_name(t["dtype"].get<std::string>());
    if (!d) fail_file(path, where + " has unsupported dtype " + t["dtype"].get<std::string>());
    std::vector<int64_t> shape;
    int64_t numel = 1;
    for (const auto& x : t["shape"]) {
      const uint64_t s = x.get<uint64_t>();
      if (s > static_cast<uint64_t>(INT64_MAX) || (s > 0 && numel > INT64_MAX / static_cast<int64_t>(s)))
        fail_file(path, where + " has a shape too large for any file");
      shape.push_back(static_cast<int64_t>(s));
      numel *= static_cast<int64_t>(s);
    }
    auto off = t["data_offsets"].get<std::vector<uint64_t>>();
    if (static_cast<uint64_t>(numel) > data_len / d->size)
      fail_file(path, where + " has data_offsets that do not match its shape or the file size");
    if (off.size() != 2 || off[1] < off[0] || off[1] > data_len ||
        off[1] - off[0] != static_cast<uint64_t>(numel) * d->size)
      fail_file(path, where + " has data_offsets that do not match its shape or the file size");
    auto tensor = torch::empty(shape, torch::TensorOptions().dtype(d->type));
    if (numel) std::memcpy(tensor.data_ptr(), bytes.data() + base + off[0], off[1] - off[0]);
    out[it.key()] = tensor;
  }
  return out;
}

void save_safetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> parts;
  uint64_t offset = 0;
  for (const auto& [name, t0] : tensors) {
    auto t = t0.detach().to(torch::kCPU).contiguous();
    const DtypeInfo* d = by_type(t.scalar_type());
    if (!d) throw Error(path + ": tensor \"" + name + "\" has a dtype safetensors cannot store");
    uint64_t n = static_cast<uint64_t>(t.numel()) * d->size;
    header[name] = {{"dtype", d->name}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + n}}};
    offset += n;
    parts.push_back(t);
  }
  std::string h = header.dump();
  h.append((8 - h.size() % 8) % 8, ' ');  // keep tensor data 8-byte aligned
  std::string out(8, '\0');
  uint64_t hl = h.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((hl >> (8 * i)) & 0xFF);
  out += h;
  out.reserve(out.size() + offset);
  for (const auto& t : parts)
    out.append(static_cast<const char*>(t.data_ptr()), static_cast<size_t>(t.numel()) * t.element_size());
  write_file_atomic(path, out);
}

std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& m) {
  std::map<std::string, torch::Tensor> w;
  for (const auto& p : m.named_parameters()) w[p.key()] = p.value().detach();
  for (const auto& b : m.named_buffers()) w[b.key()] = b.value().detach();
  return w;
}

void copy_into_module(torch::nn::Module& m, const std::map<std::string, torch::Tensor>& w, const std::string& where) {
  torch::NoGradGuard ng;
  auto copy = [&](const std::string& name, torch::Tensor t) {
    auto it = w.find(name);
    if (it == w.end()) throw Error(where + ": missing tensor \"" + name + "\"");
    if (it->second.sizes() != t.sizes())
      throw Error(where + ": tensor \"" + name + "\" has shape " + c10::str(it->second.sizes()) + ", expected " +
                  c10::str(t.sizes()));
    t.copy_(it->second);
  };
  for (auto& p : m.named_parameters()) copy(p.key(), p.value());
  for (auto& b : m.named_buffers()) copy(b.key(), b.value());
}

}  // namespace clasp
