#include "index/phone_costs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/fs.h"

namespace clasp {

namespace {
// One unit-cost alignment of said against heard: for each said phoneme, the
// id it was heard as, or -1 when dropped.
std::vector<int64_t> heard_as(const std::vector<int64_t>& said, const std::vector<int64_t>& heard) {
  const size_t m = said.size(), n = heard.size();
  std::vector<size_t> d((m + 1) * (n + 1));
  auto D = [&](size_t i, size_t j) -> size_t& { return d[i * (n + 1) + j]; };
  for (size_t i = 0; i <= m; ++i) D(i, 0) = i;
  for (size_t j = 0; j <= n; ++j) D(0, j) = j;
  for (size_t i = 1; i <= m; ++i)
    for (size_t j = 1; j <= n; ++j)
      D(i, j) = std::min({D(i - 1, j - 1) + (said[i - 1] != heard[j - 1]), D(i - 1, j) + 1, D(i, j - 1) + 1});
  std::vector<int64_t> out(m, -1);
  size_t i = m, j = n;
  while (i > 0 && j > 0) {
    if (D(i, j) == D(i - 1, j - 1) + (said[i - 1] != heard[j - 1])) {
      out[--i] = heard[--j];
    } else if (D(i, j) == D(i - 1, j) + 1) {
      --i;  // dropped: stays -1
    } else {
      --j;  // inserted
    }
  }
  return out;
}
}  // namespace

PhoneCosts PhoneCosts::learn(const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>>& said_heard,
                             size_t symbols, float floor) {
  if (symbols == 0) throw Error("phone costs: no phoneme symbols");
  if (floor < 0 || floor > 1) throw Error("phone costs: floor must be within 0-1");
  // counts[a * (symbols + 1) + b]: said a, heard b; column `symbols` = dropped.
  std::vector<double> counts(symbols * (symbols + 1), 0.0);
  for (const auto& [said, heard] : said_heard) {
    auto as = heard_as(said, heard);
    for (size_t i = 0; i < said.size(); ++i) {
      const int64_t a = said[i], b = as[i];
      if (a < 0 || static_cast<size_t>(a) >= symbols || b >= static_cast<int64_t>(symbols)) continue;
      counts[static_cast<size_t>(a) * (symbols + 1) + (b < 0 ? symbols : static_cast<size_t>(b))] += 1;
    }
  }
  PhoneCosts c;
  c.symbols = symbols;
  c.sub.assign(symbols * symbols, 1.0f);
  c.del.assign(symbols, 1.0f);
  for (size_t a = 0; a < symbols; ++a) {
    const double* row = &counts[a * (symbols + 1)];
    const double top = *std::max_element(row, row + symbols + 1);
    c.sub[a * symbols + a] = 0.0f;
    if (top <= 0) continue;  // never said: unit costs
    auto cost = [&](double n) { return static_cast<float>(1.0 - (1.0 - floor) * std::min(1.0, n / top)); };
    for (size_t b = 0; b < symbols; ++b)
      if (b != a) c.sub[a * symbols + b] = cost(row[b]);
    c.del[a] = cost(row[symbols]);
  }
  return c;
}

void PhoneCosts::save(const std::string& path, const std::vector<std::string>& phonemes) const {
  if (phonemes.size() + 1 != symbols)
    throw Error(path + ": " + std::to_string(symbols) + " phoneme ids but " + std::to_string(phonemes.size()) +
                " symbols (plus the blank) to name them");
  nlohmann::json j = {{"format", "clasp-phone-costs-1"}, {"phonemes", phonemes}, {"ins", ins}, {"del", del}, {"sub", sub}};
  write_file_atomic(path, j.dump() + "\n");
}

PhoneCosts PhoneCosts::load(const std::string& path, const std::vector<std::string>& phonemes) {
  if (!std::filesystem::exists(path)) return {};
  std::ifstream in(path);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "clasp-phone-costs-1")
    throw Error(path + ": not a phone-costs file (expected JSON with \"format\": \"clasp-phone-costs-1\")");
  try {
    if (j.at("phonemes").get<std::vector<std::string>>() != phonemes)
      throw Error(path + ": made for another phoneme inventory than this speech encoder's; learn it again");
    PhoneCosts c;
    c.symbols = phonemes.size() + 1;
    c.ins = j.at("ins").get<float>();
    c.del = j.at("del").get<std::vector<float>>();
    c.sub = j.at("sub").get<std::vector<float>>();
    if (c.del.size() != c.symbols || c.sub.size() != c.symbols * c.symbols)
      throw Error(path + ": \"del\" needs " + std::to_string(c.symbols) + " values and \"sub\" " +
                  std::to_string(c.symbols * c.symbols));
    auto bad = [](float v) { return !(v >= 0.0f && v <= 1.0f); };
    if (bad(c.ins) || std::any_of(c.del.begin(), c.del.end(), bad) || std::any_of(c.sub.begin(), c.sub.end(), bad))
      throw Error(path + ": every cost must be within 0-1");
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": " + e.what());
  }
}

}  // namespace clasp
