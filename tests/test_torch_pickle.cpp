// The restricted torch.save reader against files made by Python's torch
// (tests/fixtures/torch/make.py): an OrderedDict state dict with _metadata
// (what transformers writes), a whole pickled module, views into one
// storage and other dtypes; damaged files are refused by name.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "models/torch_checkpoint.h"
#include "models/torch_pickle.h"
#include "test_helpers.h"
#include "util/error.h"

using namespace clasp;
using clasp::test::TempDir;

namespace {

const std::string kDir = std::string(CLASP_SOURCE_DIR) + "/tests/fixtures/torch";

nlohmann::json expected() { return nlohmann::json::parse(std::ifstream(kDir + "/expected.json")); }

std::vector<double> values(const torch::Tensor& t) {
  auto d = t.to(torch::kFloat64).contiguous().flatten();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

void expect_state_dict(const std::map<std::string, torch::Tensor>& sd, const nlohmann::json& e, const std::string& what) {
  ASSERT_EQ(sd.size(), e["state_dict"].size()) << what;
  for (auto& [name, vals] : e["state_dict"].items()) {
    ASSERT_TRUE(sd.count(name)) << what << ": " << name;
    EXPECT_EQ(sd.at(name).sizes().vec(), e["shapes"][name].get<std::vector<int64_t>>()) << what << ": " << name;
    EXPECT_EQ(values(sd.at(name)), vals.get<std::vector<double>>()) << what << ": " << name;
  }
}

}  // namespace

TEST(TorchPickle, ReadsAnOrderedDictStateDictWithMetadata) {
  auto e = expected();
  expect_state_dict(read_torch_save(kDir + "/state_dict.pt"), e, "state_dict.pt");
  EXPECT_EQ(read_torch_save(kDir + "/state_dict.pt").at("proj.1.num_batches_tracked").scalar_type(), torch::kInt64);
}

TEST(TorchPickle, CollectsAWholePickledModulesParametersAndBuffers) {
  // torch.save(model): the module tree's _parameters, _buffers and _modules, named as state_dict() names them,
  // without importing the class (__main__.Tiny) the file names.
  expect_state_dict(read_torch_save(kDir + "/whole_module.pt"), expected(), "whole_module.pt");
}

TEST(TorchPickle, ViewsDtypesAndEmptyTensors) {
  auto sd = read_torch_save(kDir + "/mixed.pt");
  const auto e = expected();  // iterated below: a temporary would be gone (found by scripts/sanitize.sh)
  for (auto& [name, m] : e["mixed"].items()) {
    ASSERT_TRUE(sd.count(name)) << name;
    EXPECT_EQ(sd[name].sizes().vec(), m["shape"].get<std::vector<int64_t>>()) << name;
    EXPECT_EQ(values(sd[name]), m["values"].get<std::vector<double>>()) << name;
  }
  EXPECT_EQ(sd["half"].scalar_type(), torch::kFloat16);
  EXPECT_EQ(sd["flag"].scalar_type(), torch::kBool);
}

TEST(TorchPickle, DamagedFilesAreRefusedByName) {
  TempDir d;
  std::string bytes;
  {
    std::ifstream in(kDir + "/state_dict.pt", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto expect_refused = [&](const std::string& content, const std::string& label) {
    const std::string p = (d.path / (label + ".pt")).string();
    std::ofstream(p, std::ios::binary) << content;
    try {
      load_torch_state_dict(p);
      ADD_FAILURE() << label << ": accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << label << ": " << e.what();
    }
  };
  expect_refused(bytes.substr(0, bytes.size() / 2), "truncated");
  expect_refused("not a checkpoint at all", "text");
  expect_refused("", "empty");
  // Every single-byte corruption of the pickle's region either loads or is refused with the file's name.
  const size_t pkl = bytes.find("data.pkl");
  ASSERT_NE(pkl, std::string::npos);
  for (size_t k = pkl + 40; k < std::min(bytes.size(), pkl + 400); k += 7) {
    std::string b = bytes;
    b[k] = static_cast<char>(b[k] ^ 0x5a);
    const std::string p = (d.path / "flip.pt").string();
    std::ofstream(p, std::ios::binary | std::ios::trunc) << b;
    try {
      load_torch_state_dict(p);
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  }
}

TEST(TorchPickle, ProtocolFourModuleWithoutItsNonPersistentBuffer) {
  // torch.save(module, pickle_protocol=4): EMPTY_SET, NEWOBJ, ...; a buffer registered with persistent=False is
  // not in state_dict(), so not here either.
  auto sd = read_torch_save(kDir + "/whole_module_p4.pt");
  std::vector<std::string> names;
  for (auto& [k, v] : sd) names.push_back(k);
  EXPECT_EQ(names, expected()["whole_module_p4"].get<std::vector<std::string>>());
  EXPECT_EQ(values(sd.at("kept")), (std::vector<double>{1.0, 2.0}));
}

TEST(TorchPickle, BoundsWhatAFileCanMakeItDo) {
  // Modules that repeat each other (2^40 names if walked naively) stop at the module budget, quickly.
  auto t0 = std::chrono::steady_clock::now();
  try {
    read_torch_save(kDir + "/repeating_tree.pt");
    FAIL() << "a tree of 2^40 names was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("modules"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 30.0);
  // A broadcast view (1,000 elements over one) is refused rather than expanded.
  try {
    read_torch_save(kDir + "/broadcast.pt");
    FAIL() << "a broadcast view was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broadcast"), std::string::npos) << e.what();
  }
}
