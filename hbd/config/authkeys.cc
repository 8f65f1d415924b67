// SPDX-License-Identifier: GPL-2.0-or-later
// The authkeys parser (heartbeat's `auth N` + `N METHOD [KEY]`) and readAuthKeysFile() (read and
// permission-checked on one descriptor).
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>

#include "hbd/config/config.h"
#include "hbd/config/config_private.h"

namespace hb::config {
namespace {

using detail::kWhitespace;
using detail::parseInt;
using detail::splitTokens;
using message::AuthMethod;

/** heartbeat's MAXAUTH: indexes 0..15 are accepted, 1..15 documented. */
constexpr int kMaxAuthIndex = 15;

struct MethodName {
  std::string_view name;
  AuthMethod method;
};
constexpr std::array<MethodName, 4> kMethods{{{"crc", AuthMethod::Crc},
                                              {"md5", AuthMethod::Md5},
                                              {"sha1", AuthMethod::Sha1},
                                              {"sha256", AuthMethod::Sha256}}};
constexpr std::array<std::string_view, 4> kMethodNames{"crc", "md5", "sha1", "sha256"};

// Note: no diagnostic below may contain a token that could be key material (the third field, or
// an unrecognised first/second field, which might be a key written in the wrong place).

}  // namespace

ParseResult<message::KeyRing> parseAuthKeys(std::string_view text, std::string_view path, bool insecure_ok) {
  DiagnosticList d{std::string(path)};
  message::KeyRing ring;
  std::optional<int> auth;
  int authLine = 0;
  std::map<int, int> keyLines;
  int crcLine = 0, keyedLine = 0;  // first line of each kind, for the mixing rule

  int line = 0;
  for (std::string_view raw : splitLines(text)) {
    ++line;

    auto tokens = splitTokens(raw, kWhitespace);
    if (tokens.empty() || tokens[0].front() == '#') continue;

    if (tokens[0] == "auth") {
      if (auth) {
        d.error(line, fmt::format("auth given twice (first at line {}); keep one 'auth N' line",
                                  authLine));
        continue;
      }
      if (tokens.size() < 2) {
        d.error(line, "auth needs the index of the key that signs outgoing packets: auth N");
        continue;
      }
      auto idx = parseInt(tokens[1], 0, kMaxAuthIndex);
      if (!idx) {
        d.error(line, fmt::format("invalid key index in auth: expected a number from 1 to {}",
                                  kMaxAuthIndex));
        continue;
      }
      if (tokens.size() > 2) d.warning(line, "text after 'auth N' is ignored");
      auth = static_cast<int>(*idx);
      authLine = line;
      continue;
    }

    auto idx = parseInt(tokens[0], -1000000, 1000000);
    if (!idx) {
      if (tokens[0].size() >= 3 && tokens[0].size() <= 6 &&
          detail::editDistance(detail::toLower(tokens[0]), "auth") <= 2) {
        d.error(line,
                "unrecognised line (did you mean 'auth'?): expected 'auth N' or "
                "'N METHOD [KEY]'");
      } else {
        d.error(line,
                "unrecognised line: expected 'auth N' or 'N METHOD [KEY]' (METHOD: crc, "
                "md5, sha1 or sha256)");
      }
      continue;
    }
    if (*idx < 0 || *idx > kMaxAuthIndex) {
      d.error(line,
              fmt::format("invalid key index {}: it must be from 1 to {}", *idx, kMaxAuthIndex));
      continue;
    }
    const int index = static_cast<int>(*idx);
    if (tokens.size() < 2) {
      d.error(line, fmt::format("key index {} has no method: expected '{} crc', '{} md5 KEY', "
                                "'{} sha1 KEY' or '{} sha256 KEY'",
                                index, index, index, index, index));
      continue;
    }
    const MethodName* method = nullptr;
    for (const auto& m : kMethods) {
      if (tokens[1] == m.name) method = &m;
    }
    if (method == nullptr) {
      std::string_view near = detail::suggest(tokens[1], kMethodNames);
      d.error(line,
              fmt::format("unknown auth method for key index {}{}: expected crc, md5, sha1 "
                          "or sha256",
                          index, near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
      continue;
    }
    message::AuthKey key;
    key.method = method->method;
    if (method->method == AuthMethod::Crc) {
      if (tokens.size() > 2) {
        d.error(line, fmt::format("auth method crc doesn't use a key (key index {})", index));
        continue;
      }
      if (insecure_ok) {
        d.warning(line, fmt::format("key index {} uses crc, which only detects corruption: anyone "
                                    "on the network can forge packets (allowed by auth_insecure_ok)",
                                    index));
      } else {
        d.error(line, fmt::format("key index {} uses crc, which only detects corruption: anyone on "
                                  "the network can forge packets, lock this node out and run groups "
                                  "twice; use sha1 or sha256 (for a test rig only: auth_insecure_ok "
                                  "yes in ha.cf)",
                                  index));
      }
      if (crcLine == 0) crcLine = line;
    } else {
      if (tokens.size() < 3) {
        d.error(line, fmt::format("auth method {} requires a key (key index {}): {} {} KEY",
                                  method->name, index, index, method->name));
        continue;
      }
      if (tokens.size() > 3) {
        d.warning(line, fmt::format("text after the key of index {} is ignored: a key cannot "
                                    "contain blanks",
                                    index));
      }
      key.secret = std::string(tokens[2]);
      if (keyedLine == 0) keyedLine = line;
    }
    if (index == 0) {
      d.warning(line, "key index 0 is accepted, but heartbeat documents 1 to 15");
    }
    auto [it, inserted] = keyLines.emplace(index, line);
    if (!inserted) {
      d.warning(line, fmt::format("key index {} defined again (first at line {}); the last "
                                  "definition wins",
                                  index, it->second));
      it->second = line;
    }
    ring.keys[index] = std::move(key);
  }

  if (crcLine != 0 && keyedLine != 0) {
    // Every listed key is accepted on receipt: a crc line next to a keyed one lets anyone forge.
    d.error(std::max(crcLine, keyedLine),
            fmt::format("crc (line {}) and a keyed method (line {}) in one authkeys: every listed key "
                        "is accepted, so crc would let anyone forge packets; remove the crc line",
                        crcLine, keyedLine));
  }
  if (!auth) {
    d.error(0, "missing auth directive: add 'auth N' naming the key that signs outgoing packets");
  } else if (ring.keys.count(*auth) == 0) {
    d.error(authLine,
            fmt::format("auth {}: key index {} is not defined in this file", *auth, *auth));
  }
  if (ring.keys.empty()) {
    d.error(0, "no keys defined: add a line such as '1 sha1 SECRET'");
  }
  ring.send_index = auth.value_or(ring.keys.empty() ? 1 : ring.keys.begin()->first);

  auto diags = d.take();
  std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
    auto order = [](const Diagnostic& x) { return x.where.line == 0 ? 1 << 30 : x.where.line; };
    return order(a) < order(b);
  });
  return ParseResult<message::KeyRing>{std::move(ring), std::move(diags)};
}

namespace detail {

ParseResult<std::string> readAuthKeysOpened(const OpenedFile& f, const std::string& path) {
  ParseResult<std::string> out;
  auto text = readOpened(f, path, kMaxConfigFileBytes);
  if (!text) {
    out.diagnostics.push_back(
        Diagnostic{Severity::Error, SourceLoc{path, 0}, text.error().message});
    return out;
  }
  // f.st is the fstat of the descriptor just read: the file checked is the file read, whatever
  // the path names by now.
  const unsigned perms = static_cast<unsigned>(f.st.st_mode) & 07777U;
  if ((perms & 077U) != 0) {
    // The text is still returned, so one run also shows its parse problems; the error keeps
    // it from being used.
    out.diagnostics.push_back(Diagnostic{
        Severity::Error, SourceLoc{path, 0},
        fmt::format("bad permissions {:04o} on authkeys: it must be accessible by its owner only "
                    "(chmod 600 {})",
                    perms, path)});
  } else if (f.st.st_uid != ::geteuid()) {
    out.diagnostics.push_back(
        Diagnostic{Severity::Warning, SourceLoc{path, 0},
                   fmt::format("authkeys is owned by uid {}, not by uid {} that runs hbd: "
                               "another user can change the keys",
                               f.st.st_uid, ::geteuid())});
  }
  out.value = std::move(*text);
  return out;
}

}  // namespace detail

ParseResult<std::string> readAuthKeysFile(const std::string& path) {
  // No symbolic link: whoever may change the link chooses the keys, and the mode that counts is
  // the target's, which an operator reading `ls -l` of the directory does not see.
  ReadFileOptions opts;
  opts.follow_symlinks = false;
  auto f = detail::openConfigFile(path, opts, "authkeys");
  if (!f) {
    ParseResult<std::string> out;
    out.diagnostics.push_back(Diagnostic{Severity::Error, SourceLoc{path, 0}, f.error().message});
    return out;
  }
  return detail::readAuthKeysOpened(*f, path);
}

}  // namespace hb::config
