// SPDX-License-Identifier: GPL-2.0-or-later
// OCF meta-data XML (tinyxml2, linked privately here) and Pacemaker-style durations.
#include <tinyxml2.h>

#include <cctype>
#include <charconv>

#include "resources/agents/agents.h"

namespace hb::resources {
namespace {

std::string text(const tinyxml2::XMLElement* e) {
  if (e == nullptr || e->GetText() == nullptr) return {};
  std::string s = e->GetText();
  // Collapse the indentation agents put inside descriptions.
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

std::string attr(const tinyxml2::XMLElement* e, const char* name) {
  const char* v = e->Attribute(name);
  return v == nullptr ? std::string() : std::string(v);
}

bool truthy(const std::string& v) { return v == "1" || v == "true" || v == "yes"; }

// English description preferred; else the first one.
std::string desc(const tinyxml2::XMLElement* parent, const char* tag) {
  const tinyxml2::XMLElement* first = parent->FirstChildElement(tag);
  for (auto* e = first; e != nullptr; e = e->NextSiblingElement(tag)) {
    const char* lang = e->Attribute("lang");
    if (lang == nullptr || std::string_view(lang) == "en") return text(e);
  }
  return text(first);
}

}  // namespace

Result<std::chrono::milliseconds> parseAgentDuration(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || ptr == s.data()) {
    return err(Errc::Parse, "bad duration '" + std::string(s) + "'");
  }
  std::string_view unit(ptr, static_cast<std::size_t>(s.data() + s.size() - ptr));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  std::uint64_t mult = 0;
  if (unit.empty() || unit == "s" || unit == "sec") {
    mult = 1000;
  } else if (unit == "ms" || unit == "msec") {
    mult = 1;
  } else if (unit == "m" || unit == "min") {
    mult = 60'000;
  } else if (unit == "h" || unit == "hr") {
    mult = 3'600'000;
  } else {
    return err(Errc::Parse, "bad duration '" + std::string(s) + "': unknown unit '" +
                                std::string(unit) + "'");
  }
  constexpr std::uint64_t kMax = 1ULL << 40;  // ~34 years in ms: plenty, no overflow
  if (n > kMax / mult) return err(Errc::Parse, "duration '" + std::string(s) + "' too large");
  return std::chrono::milliseconds(static_cast<std::int64_t>(n * mult));
}

const ParameterInfo* AgentMetadata::findParameter(std::string_view n) const {
  for (const auto& p : parameters) {
    if (p.name == n) return &p;
  }
  return nullptr;
}

std::optional<std::chrono::milliseconds> AgentMetadata::actionTimeout(std::string_view n) const {
  for (const auto& a : actions) {
    if (a.name == n && a.timeout) return a.timeout;
  }
  return std::nullopt;
}

std::vector<std::string> AgentMetadata::missingRequired(
    const std::map<std::string, std::string>& params) const {
  std::vector<std::string> missing;
  for (const auto& p : parameters) {
    if (p.required && params.find(p.name) == params.end()) missing.push_back(p.name);
  }
  return missing;
}

Result<AgentMetadata> parseMetadata(std::string_view xml) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    const char* why = doc.ErrorStr();
    return err(Errc::Parse, std::string("meta-data is not valid XML: ") + (why ? why : "?"));
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (root == nullptr || std::string_view(root->Name()) != "resource-agent") {
    return err(Errc::Parse, "meta-data: root element is not <resource-agent>");
  }
  AgentMetadata md;
  md.name = attr(root, "name");
  md.version = attr(root, "version");
  md.apiVersion = text(root->FirstChildElement("version"));
  md.shortDesc = desc(root, "shortdesc");
  if (auto* ps = root->FirstChildElement("parameters")) {
    for (auto* p = ps->FirstChildElement("parameter"); p != nullptr;
         p = p->NextSiblingElement("parameter")) {
      ParameterInfo info;
      info.name = attr(p, "name");
      if (info.name.empty()) return err(Errc::Parse, "meta-data: <parameter> without a name");
      info.required = truthy(attr(p, "required"));
      info.unique = truthy(attr(p, "unique"));
      info.shortDesc = desc(p, "shortdesc");
      if (auto* c = p->FirstChildElement("content")) {
        info.type = attr(c, "type");
        if (const char* d = c->Attribute("default")) info.defaultValue = d;
      }
      md.parameters.push_back(std::move(info));
    }
  }
  if (auto* as = root->FirstChildElement("actions")) {
    for (auto* a = as->FirstChildElement("action"); a != nullptr;
         a = a->NextSiblingElement("action")) {
      ActionInfo info;
      info.name = attr(a, "name");
      if (info.name.empty()) return err(Errc::Parse, "meta-data: <action> without a name");
      auto duration = [&](const char* key,
                          std::optional<std::chrono::milliseconds>& out) -> Result<void> {
        const char* v = a->Attribute(key);
        if (v == nullptr) return {};
        auto d = parseAgentDuration(v);
        if (!d) {
          return err(Errc::Parse, "meta-data: action " + info.name + " " + key + ": " +
                                      d.error().message);
        }
        out = *d;
        return {};
      };
      if (auto r = duration("timeout", info.timeout); !r) return r.error();
      if (auto r = duration("interval", info.interval); !r) return r.error();
      if (const char* d = a->Attribute("depth")) {
        int depth = 0;
        std::string_view dv(d);
        auto [ptr, ec] = std::from_chars(dv.data(), dv.data() + dv.size(), depth);
        if (ec != std::errc() || ptr != dv.data() + dv.size()) {
          return err(Errc::Parse, "meta-data: action " + info.name + ": bad depth '" +
                                      std::string(dv) + "'");
        }
        info.depth = depth;
      }
      info.role = attr(a, "role");
      md.actions.push_back(std::move(info));
    }
  }
  return md;
}

}  // namespace hb::resources
