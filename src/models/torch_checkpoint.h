#pragma once
// Reads a PyTorch state dict saved with torch.save (pytorch_model.bin, zip
// format), or the parameters and buffers of a whole pickled module, with a
// restricted unpickler (models/torch_pickle.h) that, unlike Python's pickle,
// cannot run code from the file.
#include <torch/torch.h>

#include <map>
#include <string>

namespace clasp {

std::map<std::string, torch::Tensor> load_torch_state_dict(const std::string& path);

// <dir>/<stem>.safetensors when present, else <dir>/pytorch_model.bin.
// Throws clasp::Error naming both when neither exists.
std::map<std::string, torch::Tensor> load_weights_in_dir(const std::string& dir, const std::string& stem = "model");

}  // namespace clasp
