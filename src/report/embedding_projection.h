#pragma once
// 2-D principal-component projection of two sets of embeddings in one space
// (speech vs text, paper Fig. 3). No torch types in this header.
#include <cstddef>
#include <vector>

namespace clasp {

struct Projection2D {
  std::vector<double> ax, ay;  // first set (rows of a)
  std::vector<double> bx, by;  // second set (rows of b)
  double explained = 0;        // share of the joint variance the two axes keep
  double mean_pair_distance = 0;  // mean 2-D distance between row i of a and row i of b
};

// a and b are row-major [n x dim] with the same n; both sets are centred
// together and projected on the top two principal axes of the union.
Projection2D project_pairs_2d(const std::vector<float>& a, const std::vector<float>& b, size_t dim);

}  // namespace clasp
