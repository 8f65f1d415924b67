// SPDX-License-Identifier: GPL-2.0-or-later
// heartbeat v1 haresources grammar into the resource model (hb::cib::Cib); pure, no file access.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crm/cib/cib.h"
#include "resources/base/diagnostic.h"

namespace hb::haresources {

/**
 * Parses a haresources file exactly as heartbeat 3.0.6 processes it (heartbeat-reference §3.1,
 * §3.2): `#` comments anywhere, backslash continuation, blank lines, the first field is the node
 * (lower-cased) or `vrrp:INSTANCE`, every further field a resource; a resource that looks like an
 * IPv4 address is `IPaddr::<it>`; `SCRIPT::arg::arg` passes positional arguments; `ocf:PROV:TYPE
 * [::name=value...]`, `lsb:NAME` and `heartbeat:NAME[::arg...]` name the class explicitly. Each
 * logical line is one group whose key (the first resource as written) must be unique.
 *
 * A bare script name becomes a `heartbeat`-class primitive whose positional arguments are params
 * "1", "2", ...; the executor looks it up in resource.d/ then /etc/init.d/. IPaddr, IPaddr2 and
 * Filesystem also get their ocf:hbd fallback (cib::heartbeatToOcf). Primitive ids follow
 * heartbeat's instance names (`IPaddr_10.0.0.5`, `Filesystem_/dev/drbd0`) made into XML ids and
 * unique in the Cib; a group's id is `group_<first primitive id>`.
 *
 * Every problem is reported as `FILE:LINE: error: TEXT` (or `warning:`), LINE being the physical
 * line where the group starts. The value is absent only when nothing usable was read; check
 * `ok()` / `hasErrors()`.
 *
 * @param text the file contents.
 * @param path the file name used in diagnostics.
 * @param known_nodes the ha.cf nodes; empty = do not check node names ("Bad nodename").
 *        When given, they become `Cib::nodes` (lower-cased); otherwise the nodes named in the
 *        file, in order of first appearance.
 * @return the model with auto_failback `legacy` (use cib::setAutoFailback for ha.cf's value).
 */
ParseResult<cib::Cib> parseHaresources(std::string_view text, std::string_view path,
                                       const std::vector<std::string>& known_nodes);

/**
 * The resource a single haresources field describes, without ids (heartbeat's canonname and
 * `::` splitting). Exposed for `hbctl` and the tests. Errors go to `diags` at `line`.
 * @return nullopt when the field is unusable.
 */
std::optional<cib::Primitive> parseResourceField(std::string_view field, int line,
                                                 DiagnosticList& diags);

/**
 * heartbeat's canonname test: the field looks like an IPv4 address (shell glob
 * `[0-9]*.[0-9]*.[0-9]*.[0-9]*`), so it stands for `IPaddr::<field>`.
 */
bool looksLikeIpAddress(std::string_view field);

/**
 * parseHaresources() then cib::setAutoFailback() then cib::toXml(): what `haresources2cib`
 * prints. The value is absent when the file has errors; diagnostics are kept either way.
 */
ParseResult<std::string> haresourcesToCibXml(std::string_view text, std::string_view path,
                                             const std::vector<std::string>& known_nodes,
                                             cib::AutoFailback auto_failback);

}  // namespace hb::haresources
