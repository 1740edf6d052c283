#pragma once
// Inner-product vector search over L2-normalised vectors (cosine), backed by
// FAISS: exact (flat) search, or an IVF index for large collections that
// scans `nprobe` of its `nlist` clusters per query.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace faiss {
struct Index;
}

namespace clasp {

struct VectorHit {
  int64_t id = -1;
  float score = 0;
};

class VectorIndex {
 public:
  static VectorIndex exact(int dim);
  // IVF with `nlist` clusters (0 = about 4 sqrt(n)) trained on `train` (n x dim).
  // codes: how each vector is stored, a FAISS factory name: "Flat" (4 bytes
  // a dimension), "SQ8" (1 byte a dimension), "PQ<m>" (m bytes a vector).
  static VectorIndex ivf(int dim, const float* train, size_t n, int nlist = 0, int nprobe = 16,
                         const std::string& codes = "Flat");
  static VectorIndex load(const std::string& path);
  VectorIndex(VectorIndex&&) noexcept;
  VectorIndex& operator=(VectorIndex&&) noexcept;
  ~VectorIndex();

  void add(const std::vector<int64_t>& ids, const float* vectors);
  size_t remove(const std::vector<int64_t>& ids);
  size_t size() const;
  int dim() const;
  bool approximate() const;
  void set_nprobe(int nprobe);
  // Top-k per query (row-major nq x dim); thread-safe for concurrent searches.
  std::vector<std::vector<VectorHit>> search(const float* queries, size_t nq, int k) const;
  // Written to a temporary file and renamed, so a kill never leaves half a file.
  void save(const std::string& path) const;

 private:
  explicit VectorIndex(faiss::Index* idx);
  std::unique_ptr<faiss::Index> idx_;
};

}  // namespace clasp
