// SPDX-License-Identifier: GPL-2.0-or-later
// CIB XML writing and reading with tinyxml2 (the only tinyxml2 user in hbd).
#include <tinyxml2.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>

#include "crm/cib/cib.h"

namespace hb::cib {

namespace {

using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;

constexpr const char* kBootstrapSet = "cib-bootstrap-options";
constexpr const char* kAutoFailbackName = "auto_failback";
constexpr const char* kStickinessName = "resource-stickiness";
constexpr const char* kFollowsVrrpName = "hbd-follows-vrrp";

std::string scoreText(int score) {
  if (score >= kInfinityScore) return "INFINITY";
  if (score <= -kInfinityScore) return "-INFINITY";
  return std::to_string(score);
}

std::optional<int> parseScore(std::string_view s) {
  if (s == "INFINITY" || s == "+INFINITY") return kInfinityScore;
  if (s == "-INFINITY") return -kInfinityScore;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  if (v > kInfinityScore) v = kInfinityScore;
  if (v < -kInfinityScore) v = -kInfinityScore;
  return v;
}

XMLElement* addNvpair(XMLElement* set, const std::string& set_id, const std::string& name,
                      const std::string& value) {
  XMLElement* nv = set->InsertNewChildElement("nvpair");
  nv->SetAttribute("id", sanitizeId(set_id + "-" + name).c_str());
  nv->SetAttribute("name", name.c_str());
  nv->SetAttribute("value", value.c_str());
  return nv;
}

std::string fallbackComment(const OcfFallback& f) {
  std::string text = " without its resource.d script: ocf:" + f.provider + ":" + f.type;
  for (const auto& p : f.params) text += " " + p.name + "=" + p.value;
  // "--" may not appear inside an XML comment.
  std::string safe;
  for (char c : text) {
    if (c == '-' && !safe.empty() && safe.back() == '-') safe.push_back(' ');
    safe.push_back(c);
  }
  if (!safe.empty() && safe.back() == '-') safe.push_back(' ');
  return safe + " ";
}

}  // namespace

std::string toXml(const Cib& cib) {
  XMLDocument doc;
  XMLElement* root = doc.NewElement("cib");
  doc.InsertEndChild(root);
  root->SetAttribute("validate-with", "pacemaker-3.0");
  root->SetAttribute("admin_epoch", "0");
  root->SetAttribute("epoch", "0");
  root->SetAttribute("num_updates", "0");
  XMLElement* conf = root->InsertNewChildElement("configuration");

  XMLElement* crm = conf->InsertNewChildElement("crm_config");
  XMLElement* props = crm->InsertNewChildElement("cluster_property_set");
  props->SetAttribute("id", kBootstrapSet);
  addNvpair(props, kBootstrapSet, kAutoFailbackName, std::string(autoFailbackName(cib.auto_failback)));

  XMLElement* nodes = conf->InsertNewChildElement("nodes");
  for (const auto& n : cib.nodes) {
    XMLElement* e = nodes->InsertNewChildElement("node");
    e->SetAttribute("id", sanitizeId(n).c_str());
    e->SetAttribute("uname", n.c_str());
    e->SetAttribute("type", "member");
  }

  XMLElement* resources = conf->InsertNewChildElement("resources");
  XMLElement* constraints = nullptr;
  std::vector<const Group*> located;
  for (const auto& g : cib.groups) {
    XMLElement* ge = resources->InsertNewChildElement("group");
    ge->SetAttribute("id", g.id.c_str());
    const std::string meta_id = g.id + "-meta_attributes";
    XMLElement* meta = ge->InsertNewChildElement("meta_attributes");
    meta->SetAttribute("id", meta_id.c_str());
    addNvpair(meta, meta_id, kStickinessName, scoreText(g.stickiness));
    if (!g.follows_vrrp.empty()) addNvpair(meta, meta_id, kFollowsVrrpName, g.follows_vrrp);
    for (const auto& p : g.primitives) {
      XMLElement* pe = ge->InsertNewChildElement("primitive");
      pe->SetAttribute("id", p.id.c_str());
      pe->SetAttribute("class", p.cls.c_str());
      if (!p.provider.empty()) pe->SetAttribute("provider", p.provider.c_str());
      pe->SetAttribute("type", p.type.c_str());
      if (!p.source.empty()) pe->SetAttribute("description", p.source.c_str());
      if (!p.params.empty()) {
        const std::string ia_id = p.id + "-instance_attributes";
        XMLElement* ia = pe->InsertNewChildElement("instance_attributes");
        ia->SetAttribute("id", ia_id.c_str());
        for (const auto& param : p.params) addNvpair(ia, ia_id, param.name, param.value);
      }
      if (p.ocf_fallback) pe->InsertNewComment(fallbackComment(*p.ocf_fallback).c_str());
    }
    if (!g.preferred_node.empty()) located.push_back(&g);
  }
  constraints = conf->InsertNewChildElement("constraints");
  for (const Group* g : located) {
    XMLElement* loc = constraints->InsertNewChildElement("rsc_location");
    loc->SetAttribute("id", ("location-" + g->id + "-" + sanitizeId(g->preferred_node)).c_str());
    loc->SetAttribute("rsc", g->id.c_str());
    loc->SetAttribute("node", g->preferred_node.c_str());
    loc->SetAttribute("score", scoreText(kPreferredNodeScore).c_str());
  }
  root->InsertNewChildElement("status");

  tinyxml2::XMLPrinter printer;
  doc.Print(&printer);
  return std::string(printer.CStr(), static_cast<std::size_t>(printer.CStrSize() - 1));
}

namespace {

/** State of one fromXml() run. */
class Reader {
 public:
  explicit Reader(DiagnosticList& diags) : diags_(diags) {}

  void readConfiguration(const XMLElement* conf, Cib& cib) {
    for (const XMLElement* e = conf->FirstChildElement(); e; e = e->NextSiblingElement()) {
      const std::string_view name = e->Name();
      if (name == "crm_config") {
        readCrmConfig(e, cib);
      } else if (name == "nodes") {
        readNodes(e, cib);
      } else if (name == "resources") {
        readResources(e, cib);
      } else if (name == "constraints") {
        constraints_ = e;
      } else if (name == "rsc_defaults" || name == "op_defaults" || name == "fencing-topology" ||
                 name == "acls" || name == "tags" || name == "alerts") {
        diags_.warning(e->GetLineNum(), "<" + std::string(name) + "> is not supported; ignored");
      } else {
        diags_.error(e->GetLineNum(), "unknown element <" + std::string(name) + "> in <configuration>");
      }
    }
    if (constraints_) readConstraints(constraints_, cib);
  }

 private:
  const char* attr(const XMLElement* e, const char* name, bool required) {
    const char* v = e->Attribute(name);
    if (!v && required) {
      diags_.error(e->GetLineNum(),
                   "<" + std::string(e->Name()) + "> needs attribute '" + name + "'");
    }
    return v;
  }

  void checkId(const XMLElement* e, const std::string& id) {
    if (id.empty() || sanitizeId(id) != id) {
      diags_.error(e->GetLineNum(), "'" + id + "' is not a valid XML id");
    } else if (!ids_.insert(id).second) {
      diags_.error(e->GetLineNum(), "duplicate id '" + id + "'");
    }
  }

  /** Reads the nvpairs of an attribute set into a list (order kept). */
  std::vector<Param> readNvpairs(const XMLElement* set) {
    std::vector<Param> out;
    for (const XMLElement* nv = set->FirstChildElement(); nv; nv = nv->NextSiblingElement()) {
      if (std::strcmp(nv->Name(), "nvpair") != 0) {
        diags_.error(nv->GetLineNum(), "unexpected <" + std::string(nv->Name()) + "> in <" +
                                           set->Name() + ">; only <nvpair> is supported");
        continue;
      }
      const char* n = attr(nv, "name", true);
      const char* v = attr(nv, "value", false);
      if (!n) continue;
      for (const auto& p : out) {
        if (p.name == n) diags_.error(nv->GetLineNum(), "duplicate nvpair '" + std::string(n) + "'");
      }
      out.push_back({n, v ? v : ""});
    }
    return out;
  }

  void readCrmConfig(const XMLElement* crm, Cib& cib) {
    for (const XMLElement* set = crm->FirstChildElement(); set; set = set->NextSiblingElement()) {
      if (std::strcmp(set->Name(), "cluster_property_set") != 0) {
        diags_.error(set->GetLineNum(), "unknown element <" + std::string(set->Name()) +
                                            "> in <crm_config>");
        continue;
      }
      for (const auto& p : readNvpairs(set)) {
        if (p.name == kAutoFailbackName) {
          auto a = parseAutoFailback(p.value);
          if (!a) {
            diags_.error(set->GetLineNum(),
                         "auto_failback must be on, off or legacy, not '" + p.value + "'");
          } else {
            cib.auto_failback = *a;
          }
        }
        // Other cluster properties are Pacemaker's; hbd has no use for them yet.
      }
    }
  }

  void readNodes(const XMLElement* nodes, Cib& cib) {
    for (const XMLElement* n = nodes->FirstChildElement(); n; n = n->NextSiblingElement()) {
      if (std::strcmp(n->Name(), "node") != 0) {
        diags_.error(n->GetLineNum(), "unknown element <" + std::string(n->Name()) + "> in <nodes>");
        continue;
      }
      const char* uname = n->Attribute("uname");
      const char* id = attr(n, "id", uname == nullptr);
      const std::string name = uname ? uname : (id ? id : "");
      if (name.empty()) continue;
      if (std::find(cib.nodes.begin(), cib.nodes.end(), name) != cib.nodes.end()) {
        diags_.error(n->GetLineNum(), "duplicate node '" + name + "'");
        continue;
      }
      cib.nodes.push_back(name);
    }
  }

  void readResources(const XMLElement* resources, Cib& cib) {
    for (const XMLElement* g = resources->FirstChildElement(); g; g = g->NextSiblingElement()) {
      if (std::strcmp(g->Name(), "group") != 0) {
        diags_.error(g->GetLineNum(), "<" + std::string(g->Name()) +
                                          "> outside a <group> is not supported");
        continue;
      }
      readGroup(g, cib);
    }
  }

  void readGroup(const XMLElement* ge, Cib& cib) {
    Group g;
    const char* id = attr(ge, "id", true);
    if (!id) return;
    g.id = id;
    checkId(ge, g.id);
    g.stickiness = stickinessFor(cib.auto_failback);
    bool stickiness_set = false;
    for (const XMLElement* e = ge->FirstChildElement(); e; e = e->NextSiblingElement()) {
      const std::string_view name = e->Name();
      if (name == "meta_attributes") {
        for (const auto& p : readNvpairs(e)) {
          if (p.name == kStickinessName) {
            auto s = parseScore(p.value);
            if (!s) {
              diags_.error(e->GetLineNum(), "bad resource-stickiness '" + p.value + "'");
            } else {
              g.stickiness = *s;
              stickiness_set = true;
            }
          } else if (p.name == kFollowsVrrpName) {
            g.follows_vrrp = p.value;
          } else {
            diags_.warning(e->GetLineNum(), "meta attribute '" + p.name + "' is not supported; ignored");
          }
        }
      } else if (name == "primitive") {
        if (auto p = readPrimitive(e)) g.primitives.push_back(std::move(*p));
      } else {
        diags_.error(e->GetLineNum(), "unknown element <" + std::string(name) + "> in <group>");
      }
    }
    if (g.primitives.empty()) diags_.error(ge->GetLineNum(), "group '" + g.id + "' has no primitive");
    if (!stickiness_set) pending_stickiness_.push_back(cib.groups.size());
    cib.groups.push_back(std::move(g));
  }

  std::optional<Primitive> readPrimitive(const XMLElement* pe) {
    Primitive p;
    const char* id = attr(pe, "id", true);
    const char* cls = attr(pe, "class", true);
    const char* type = attr(pe, "type", true);
    if (!id || !cls || !type) return std::nullopt;
    p.id = id;
    checkId(pe, p.id);
    p.cls = cls;
    p.type = type;
    if (const char* prov = pe->Attribute("provider")) p.provider = prov;
    if (const char* d = pe->Attribute("description")) p.source = d;
    if (p.cls == "ocf") {
      if (p.provider.empty()) diags_.error(pe->GetLineNum(), "ocf primitive '" + p.id + "' needs a provider");
    } else if (p.cls == "lsb" || p.cls == "heartbeat") {
      if (!p.provider.empty()) {
        diags_.warning(pe->GetLineNum(), "provider is ignored for class " + p.cls);
        p.provider.clear();
      }
    } else {
      diags_.error(pe->GetLineNum(), "unsupported class '" + p.cls + "' (ocf, lsb or heartbeat)");
    }
    if (p.type.empty() || p.type.find('/') != std::string::npos) {
      diags_.error(pe->GetLineNum(), "bad agent type '" + p.type + "'");
    }
    for (const XMLElement* e = pe->FirstChildElement(); e; e = e->NextSiblingElement()) {
      const std::string_view name = e->Name();
      if (name == "instance_attributes") {
        for (auto& param : readNvpairs(e)) p.params.push_back(std::move(param));
      } else if (name == "operations" || name == "meta_attributes" || name == "utilization") {
        diags_.warning(e->GetLineNum(), "<" + std::string(name) + "> is not supported yet; ignored");
      } else {
        diags_.error(e->GetLineNum(), "unknown element <" + std::string(name) + "> in <primitive>");
      }
    }
    if (p.cls == "heartbeat") p.ocf_fallback = heartbeatToOcf(p.type, p.positionalArgs());
    return p;
  }

  void readConstraints(const XMLElement* cons, Cib& cib) {
    std::vector<int> best(cib.groups.size(), -kInfinityScore - 1);
    for (const XMLElement* c = cons->FirstChildElement(); c; c = c->NextSiblingElement()) {
      if (std::strcmp(c->Name(), "rsc_location") != 0) {
        diags_.warning(c->GetLineNum(), "<" + std::string(c->Name()) + "> is not supported; ignored");
        continue;
      }
      const char* rsc = attr(c, "rsc", true);
      const char* node = c->Attribute("node");
      const char* score = c->Attribute("score");
      if (!rsc) continue;
      if (!node || !score) {
        diags_.error(c->GetLineNum(), "rsc_location needs 'node' and 'score' (rules are not supported)");
        continue;
      }
      auto s = parseScore(score);
      if (!s) {
        diags_.error(c->GetLineNum(), "bad score '" + std::string(score) + "'");
        continue;
      }
      std::size_t i = 0;
      while (i < cib.groups.size() && cib.groups[i].id != rsc) ++i;
      if (i == cib.groups.size()) {
        diags_.error(c->GetLineNum(), "rsc_location refers to unknown group '" + std::string(rsc) + "'");
        continue;
      }
      if (!cib.nodes.empty() &&
          std::find(cib.nodes.begin(), cib.nodes.end(), node) == cib.nodes.end()) {
        diags_.error(c->GetLineNum(), "rsc_location refers to unknown node '" + std::string(node) + "'");
        continue;
      }
      if (*s <= 0) continue;  // only a positive preference names a preferred node
      if (best[i] > -kInfinityScore - 1) {
        diags_.warning(c->GetLineNum(), "group '" + std::string(rsc) +
                                            "' has several preferred nodes; the highest score wins");
      }
      if (*s > best[i]) {
        best[i] = *s;
        cib.groups[i].preferred_node = node;
      }
    }
  }

 public:
  /** Groups without an explicit stickiness take it from auto_failback (read at any position). */
  void finish(Cib& cib) {
    for (std::size_t i : pending_stickiness_) cib.groups[i].stickiness = stickinessFor(cib.auto_failback);
  }

 private:
  DiagnosticList& diags_;
  std::set<std::string> ids_;
  const XMLElement* constraints_ = nullptr;
  std::vector<std::size_t> pending_stickiness_;
};

}  // namespace

ParseResult<Cib> fromXml(std::string_view text, std::string_view path) {
  DiagnosticList diags{std::string(path)};
  ParseResult<Cib> out;
  XMLDocument doc;
  if (doc.Parse(text.data(), text.size()) != tinyxml2::XML_SUCCESS) {
    // ErrorStr() repeats the line and internal ids; the error's name says enough.
    diags.error(doc.ErrorLineNum(),
                std::string("malformed XML (") + XMLDocument::ErrorIDToName(doc.ErrorID()) + ")");
    out.diagnostics = diags.take();
    return out;
  }
  const XMLElement* root = doc.RootElement();
  if (!root || std::strcmp(root->Name(), "cib") != 0) {
    diags.error(root ? root->GetLineNum() : 0, "the root element must be <cib>");
    out.diagnostics = diags.take();
    return out;
  }
  const XMLElement* conf = root->FirstChildElement("configuration");
  if (!conf) {
    diags.error(root->GetLineNum(), "<cib> has no <configuration>");
    out.diagnostics = diags.take();
    return out;
  }
  Cib cib;
  Reader reader(diags);
  reader.readConfiguration(conf, cib);
  reader.finish(cib);
  out.value = std::move(cib);
  out.diagnostics = diags.take();
  return out;
}

}  // namespace hb::cib
