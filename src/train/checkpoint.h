#pragma once
// Resumable training state in a work directory: model.pt, optimizer.pt and
// state.json (step and whatever else the trainer keeps). state.json is
// written last, atomically, so a kill at any moment leaves either the old
// or the new checkpoint, never a mix the loader would accept.
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace clasp {

void save_checkpoint(torch::nn::Module& model, torch::optim::Optimizer& optim, const std::string& work_dir,
                     const nlohmann::json& state);
// The saved state, or nullopt when there is no checkpoint.
std::optional<nlohmann::json> load_checkpoint(torch::nn::Module& model, torch::optim::Optimizer& optim,
                                              const std::string& work_dir);

// Sets the learning rate of every parameter group of an AdamW optimiser.
void set_learning_rate(torch::optim::Optimizer& optim, double lr);

}  // namespace clasp
