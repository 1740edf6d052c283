#pragma once
// A restricted reader of torch.save files (zip format): rebuilds tensors,
// parameters, dicts (OrderedDict included, which libtorch's own unpickler
// turns into None), lists, tuples and scalars from the pickle, and keeps any
// other object as its class name and pickled state. It never imports or
// runs anything named in the file. It reads both a state dict and a whole
// pickled nn.Module (torch.save(model)), whose parameters and buffers it
// collects under their state_dict() names.
#include <torch/torch.h>

#include <map>
#include <string>

namespace clasp {

// name -> tensor, as state_dict() would give it. Errors name the file and what was wrong.
std::map<std::string, torch::Tensor> read_torch_save(const std::string& path);

}  // namespace clasp
