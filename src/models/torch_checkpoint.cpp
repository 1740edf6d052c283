#include "models/torch_checkpoint.h"

#include <filesystem>

#include "models/safetensors.h"
#include "util/error.h"
#include "util/fs.h"

namespace clasp {

std::map<std::string, torch::Tensor> load_torch_state_dict(const std::string& path) {
  std::string bytes = read_file(path);
  if (bytes.size() < 4 || bytes.compare(0, 2, "PK") != 0)
    throw Error(path + ": not a zip-format torch.save file (re-save it with torch >= 1.6, or as safetensors)");
  c10::IValue v;
  try {
    v = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  } catch (const std::exception& e) {
    throw Error(path + ": cannot read PyTorch checkpoint: " + std::string(e.what()).substr(0, 300));
  }
  if (!v.isGenericDict()) throw Error(path + ": expected a state dict (name -> tensor)");
  std::map<std::string, torch::Tensor> out;
  for (const auto& kv : v.toGenericDict()) {
    if (!kv.key().isString() || !kv.value().isTensor())
      throw Error(path + ": state dict entries must be name -> tensor");
    out[kv.key().toStringRef()] = kv.value().toTensor();
  }
  return out;
}

std::map<std::string, torch::Tensor> load_weights_in_dir(const std::string& dir, const std::string& stem) {
  namespace fs = std::filesystem;
  std::string st = dir + "/" + stem + ".safetensors", bin = dir + "/pytorch_model.bin";
  if (fs::exists(st)) return load_safetensors(st);
  if (fs::exists(bin)) return load_torch_state_dict(bin);
  throw Error(dir + ": no weights (expected " + stem + ".safetensors or pytorch_model.bin)");
}

}  // namespace clasp
