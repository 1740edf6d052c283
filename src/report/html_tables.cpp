#include "report/html_tables.h"

#include <cstdio>
#include <sstream>

namespace clasp {

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

const nlohmann::json* json_at(const nlohmann::json& j, const std::string& dotted) {
  const nlohmann::json* p = &j;
  std::stringstream ss(dotted);
  for (std::string part; std::getline(ss, part, '.');) {
    if (!p->is_object() || !p->contains(part)) return nullptr;
    p = &(*p)[part];
  }
  return p;
}

bool lower_is_better(const std::string& key) {
  const std::string last = key.substr(key.rfind('.') + 1);
  return last == "mean_rank" || last == "wer" || last == "per";
}

namespace {

std::string cell_key(const Row& r, const Column& c) {
  const std::string& prefix = c.from_paper ? r.paper : r.prefix;
  if (prefix.empty()) return "";
  const auto at = c.key.find("{row}");
  if (at == std::string::npos) return prefix + "." + c.key;
  return c.key.substr(0, at) + prefix + c.key.substr(at + 5);
}

}  // namespace

std::string html_table(const std::string& id, const std::string& caption, const nlohmann::json& report,
                       const std::vector<Row>& rows, const std::vector<Column>& cols) {
  if (rows.empty()) return "";  // no empty tables (nor sections of them)
  // The caption goes above the box, not in it: inside, it would be as wide
  // as the table and scroll out of sight with it on a narrow page.
  std::string s = "<p class=\"caption\" id=\"" + id + "-caption\">" + html_escape(caption) +
                  "</p>\n<div class=\"table-wrap\"><table id=\"" + id + "\" aria-labelledby=\"" + id +
                  "-caption\">\n<tr><th></th>";
  for (const auto& c : cols) {
    std::string cls = c.from_paper ? "paper" : "";
    std::string title = html_escape(c.title);
    if (lower_is_better(c.key)) {
      cls += cls.empty() ? "lower" : " lower";
      title += "&nbsp;<span title=\"lower is better\">&darr;</span>";
    }
    s += (cls.empty() ? "<th>" : "<th class=\"" + cls + "\">") + title + "</th>";
  }
  s += "</tr>\n";
  for (const auto& r : rows) {
    s += "<tr><th>" + html_escape(r.label) + "</th>";
    for (const auto& c : cols) {
      const std::string key = cell_key(r, c);
      const auto* v = key.empty() ? nullptr : json_at(report, key);
      const std::string cls = c.from_paper ? " paper" : "";
      if (!v || !v->is_number()) {
        s += "<td class=\"na" + cls + "\">-</td>";
        continue;
      }
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*f", c.decimals, v->get<double>());
      s += (cls.empty() ? "<td" : "<td class=\"paper\"") + std::string(" data-key=\"") + html_escape(key) +
           "\" data-decimals=\"" + std::to_string(c.decimals) + "\">" + buf + "</td>";
    }
    s += "</tr>\n";
  }
  return s + "</table></div>\n";
}

}  // namespace clasp
