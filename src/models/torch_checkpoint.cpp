#include "models/torch_checkpoint.h"

#include <filesystem>
#include <fstream>

#include "models/safetensors.h"
#include "models/torch_pickle.h"
#include "util/error.h"

namespace clasp {

std::map<std::string, torch::Tensor> load_torch_state_dict(const std::string& path) {
  char magic[2] = {0, 0};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  in.read(magic, 2);
  if (magic[0] != 'P' || magic[1] != 'K')
    throw Error(path + ": not a zip-format torch.save file (re-save it with torch >= 1.6, or as safetensors)");
  return read_torch_save(path);
}

std::map<std::string, torch::Tensor> load_weights_in_dir(const std::string& dir, const std::string& stem) {
  namespace fs = std::filesystem;
  std::string st = dir + "/" + stem + ".safetensors", bin = dir + "/pytorch_model.bin";
  if (fs::exists(st)) return load_safetensors(st);
  if (fs::exists(bin)) return load_torch_state_dict(bin);
  throw Error(dir + ": no weights (expected " + stem + ".safetensors or pytorch_model.bin)");
}

}  // namespace clasp
