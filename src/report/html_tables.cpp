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

std::string html_table(const std::string& id, const std::string& caption, const nlohmann::json& report,
                       const std::vector<Row>& rows, const std::vector<Column>& cols) {
  std::string s = "<table id=\"" + id + "\">\n<caption>" + html_escape(caption) + "</caption>\n<tr><th></th>";
  for (const auto& c : cols) s += "<th>" + html_escape(c.title) + "</th>";
  s += "</tr>\n";
  for (const auto& r : rows) {
    s += "<tr><th>" + html_escape(r.label) + "</th>";
    for (const auto& c : cols) {
      std::string key = r.prefix + "." + c.key;
      const auto* v = json_at(report, key);
      if (!v || !v->is_number()) {
        s += "<td class=\"na\">-</td>";
        continue;
      }
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*f", c.decimals, v->get<double>());
      s += "<td data-key=\"" + html_escape(key) + "\" data-decimals=\"" + std::to_string(c.decimals) + "\">" + buf +
           "</td>";
    }
    s += "</tr>\n";
  }
  return s + "</table>\n";
}

}  // namespace clasp
