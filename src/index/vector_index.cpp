#include "index/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "util/error.h"

namespace clasp {

VectorIndex::VectorIndex(faiss::Index* idx) : idx_(idx) {}
VectorIndex::VectorIndex(VectorIndex&&) noexcept = default;
VectorIndex& VectorIndex::operator=(VectorIndex&&) noexcept = default;
VectorIndex::~VectorIndex() = default;

VectorIndex VectorIndex::exact(int dim) {
  return VectorIndex(faiss::index_factory(dim, "IDMap2,Flat", faiss::METRIC_INNER_PRODUCT));
}

VectorIndex VectorIndex::ivf(int dim, const float* train, size_t n, int nlist, int nprobe, const std::string& codes) {
  if (nlist <= 0) nlist = std::max(1, static_cast<int>(4 * std::sqrt(static_cast<double>(n))));
  // FAISS wants about 39 training points per cluster; fewer clusters otherwise.
  nlist = std::max(1, std::min<int>(nlist, static_cast<int>(n / 39)));
  faiss::Index* idx = nullptr;
  try {
    idx = faiss::index_factory(dim, ("IVF" + std::to_string(nlist) + "," + codes).c_str(), faiss::METRIC_INNER_PRODUCT);
  } catch (const faiss::FaissException& e) {
    throw Error("vector index: \"" + codes + "\" is not a FAISS code (expected Flat, SQ8 or PQ<m>): " + e.what());
  }
  VectorIndex v(idx);
  v.idx_->train(static_cast<faiss::Index::idx_t>(n), train);
  v.set_nprobe(nprobe);
  return v;
}

VectorIndex VectorIndex::load(const std::string& path) {
  try {
    return VectorIndex(faiss::read_index(path.c_str()));
  } catch (const faiss::FaissException& e) {
    throw Error(path + ": not a readable FAISS index: " + e.what());
  }
}

void VectorIndex::add(const std::vector<int64_t>& ids, const float* vectors) {
  if (ids.empty()) return;
  idx_->add_with_ids(static_cast<faiss::Index::idx_t>(ids.size()), vectors, ids.data());
}

size_t VectorIndex::remove(const std::vector<int64_t>& ids) {
  if (ids.empty()) return 0;
  faiss::IDSelectorBatch sel(ids.size(), ids.data());
  return idx_->remove_ids(sel);
}

size_t VectorIndex::size() const { return static_cast<size_t>(idx_->ntotal); }
int VectorIndex::dim() const { return idx_->d; }
bool VectorIndex::approximate() const { return dynamic_cast<faiss::IndexIVF*>(idx_.get()) != nullptr; }

void VectorIndex::set_nprobe(int nprobe) {
  if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(idx_.get())) ivf->nprobe = static_cast<size_t>(std::max(1, nprobe));
}

std::vector<std::vector<VectorHit>> VectorIndex::search(const float* q, size_t nq, int k) const {
  std::vector<std::vector<VectorHit>> out(nq);
  if (nq == 0 || k <= 0 || idx_->ntotal == 0) return out;
  k = static_cast<int>(std::min<int64_t>(k, idx_->ntotal));
  std::vector<float> d(nq * static_cast<size_t>(k));
  std::vector<faiss::Index::idx_t> l(nq * static_cast<size_t>(k));
  idx_->search(static_cast<faiss::Index::idx_t>(nq), q, k, d.data(), l.data());
  for (size_t i = 0; i < nq; ++i)
    for (int j = 0; j < k; ++j) {
      size_t p = i * static_cast<size_t>(k) + static_cast<size_t>(j);
      if (l[p] >= 0) out[i].push_back({l[p], d[p]});
    }
  return out;
}

void VectorIndex::save(const std::string& path) const {
  std::string tmp = path + ".tmp";
  try {
    faiss::write_index(idx_.get(), tmp.c_str());
  } catch (const faiss::FaissException& e) {
    throw Error(path + ": cannot write the FAISS index: " + e.what());
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace clasp
