#include "train/checkpoint.h"

#include <filesystem>

#include "models/safetensors.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_file.h"

namespace fs = std::filesystem;

namespace clasp {

void save_checkpoint(torch::nn::Module& model, torch::optim::Optimizer& optim, const std::string& work_dir,
                     const nlohmann::json& state) {
  fs::create_directories(work_dir);
  int64_t step = state.at("step").get<int64_t>();
  // Step-stamped files: the state.json that names them is the commit point.
  // The model goes by parameter name into safetensors: torch's module
  // archive is TorchScript underneath and cannot reload a submodule whose
  // name is a Python keyword (the frame branch's "in").
  std::string mname = "model-" + std::to_string(step) + ".safetensors",
              oname = "optimizer-" + std::to_string(step) + ".pt";
  save_safetensors(work_dir + "/" + mname, module_tensors(model));
  {
    torch::serialize::OutputArchive a;
    optim.save(a);
    a.save_to(work_dir + "/" + oname);
  }
  std::string old_m, old_o;
  if (fs::exists(work_dir + "/state.json")) {
    auto old = read_json_file(work_dir + "/state.json");
    old_m = old.value("model_file", "");
    old_o = old.value("optimizer_file", "");
  }
  nlohmann::json s = state;
  s["model_file"] = mname;
  s["optimizer_file"] = oname;
  write_file_atomic(work_dir + "/state.json", s.dump(2) + "\n");
  for (const auto& f : {old_m, old_o})
    if (!f.empty() && f != mname && f != oname) fs::remove(work_dir + "/" + f);
}

std::optional<nlohmann::json> load_checkpoint(torch::nn::Module& model, torch::optim::Optimizer& optim,
                                              const std::string& work_dir) {
  std::string sp = work_dir + "/state.json";
  if (!fs::exists(sp)) return std::nullopt;
  auto s = read_json_file(sp);
  std::string m = work_dir + "/" + s.value("model_file", ""), o = work_dir + "/" + s.value("optimizer_file", "");
  if (!fs::exists(m) || !fs::exists(o)) fail_file(sp, "names checkpoint files that do not exist");
  try {
    if (m.size() > 12 && m.compare(m.size() - 12, 12, ".safetensors") == 0) {
      copy_into_module(model, load_safetensors(m), m);
    } else {  // checkpoints written before the switch to safetensors
      torch::serialize::InputArchive a;
      a.load_from(m);
      model.load(a);
    }
    torch::serialize::InputArchive b;
    b.load_from(o);
    optim.load(b);
  } catch (const c10::Error& e) {
    throw Error(work_dir + ": checkpoint does not match this model (" + std::string(e.what()).substr(0, 200) +
                "); use a new --work-dir");
  } catch (const Error& e) {
    throw Error(work_dir + ": checkpoint does not match this model (" + std::string(e.what()) +
                "); use a new --work-dir");
  }
  return s;
}

void set_learning_rate(torch::optim::Optimizer& optim, double lr) {
  for (auto& g : optim.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
}

}  // namespace clasp
