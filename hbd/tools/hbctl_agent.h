// SPDX-License-Identifier: GPL-2.0-or-later
// `hbctl agent run`: run one agent action the way hbd would and print the result.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace hb::tools {

/**
 * `hbctl agent run [OPTIONS] CLASS:[PROVIDER:]TYPE ACTION [name=value ...]` (args start after
 * "agent run"). OCF parameters are `name=value` (OCF_RESKEY_name); heartbeat-class scripts take
 * their extra words as positional arguments; LSB scripts take none.
 *
 * Options: `--resource NAME` (instance name; default TYPE), `--timeout DURATION` (e.g. 20s,
 * 500ms; default the agent's advertised timeout, else 20s), `--interval DURATION` (monitor
 * interval; 0 = probe), `--ocf-root DIR`, `--hbd-agents DIR` (default: `<exe>/../ocf/resource.d/hbd`
 * when that exists, i.e. run from a build tree, else /usr/lib/ocf/resource.d/hbd), `--init-dir DIR`,
 * `--config-dir DIR`, `-v` (agent output and runner log on stderr; `-vv` debug).
 *
 * stdout: one result line, always the last line: `WORD rc=N duration=Nms` followed, when known,
 * by ` status=OCFSTATUS`, ` signal=N` and ` reason="exit reason"`. WORD is one of
 * ok | not-running | error | timeout | cancelled | killed (see hb::resources::outcomeWord).
 * For the meta-data action the agent's XML is printed before the result line.
 * Errors before anything ran (unknown agent, not executable, missing required parameter) go to
 * stderr as `hbctl: error: resource 'NAME' (AGENT): ...` with nothing on stdout.
 *
 * @return 0 ok, 7 not running (monitor/status), 1 failure or refused, 2 usage error.
 */
int hbctlAgentRun(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace hb::tools
