#pragma once
// Reading and writing the safetensors format: an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw
// little-endian tensor bytes.
#include <torch/torch.h>

#include <map>
#include <string>

namespace clasp {

// Loads every tensor (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL) as a
// CPU tensor of that dtype. Errors name the file and the offending tensor.
// bytes_hash: when given, receives fnv1a64 of the file's bytes as read (a
// model's identity, util/hash.h), so no second read is needed to hash it.
std::map<std::string, torch::Tensor> load_safetensors(const std::string& path, uint64_t* bytes_hash = nullptr);

// Number of elements of all its tensors (reads just the header).
int64_t safetensors_element_count(const std::string& path);

// The "__metadata__" strings only (reads just the header).
std::map<std::string, std::string> load_safetensors_metadata(const std::string& path);

// Saves contiguous CPU copies of the tensors; `metadata` goes into
// "__metadata__". Written atomically.
void save_safetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// A module's parameters and buffers by name (detached, as they are).
std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& m);

// Copies w's tensors into m's parameters and buffers by name, converting the
// dtype; a missing or mis-shaped tensor is an Error that names `where`.
void copy_into_module(torch::nn::Module& m, const std::map<std::string, torch::Tensor>& w, const std::string& where);

}  // namespace clasp
