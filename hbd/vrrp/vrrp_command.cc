// SPDX-License-Identifier: GPL-2.0-or-later
// Script command lines as keepalived reads them: words, quotes and escapes, no shell; the program
// looked up in PATH.
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "hbd/vrrp/vrrp.h"
#include "resources/base/text.h"

namespace hb::vrrp {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool octal(char c) { return c >= '0' && c <= '7'; }
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One escape after a backslash; `i` is just past the backslash and ends past the escape.
char unescape(std::string_view s, std::size_t& i) {
  if (i >= s.size()) return '\\';  // a lone backslash at the end stays itself
  const char c = s[i++];
  if (c == 'x' && i < s.size() && hexValue(s[i]) >= 0) {
    int v = 0;
    for (int n = 0; n < 2 && i < s.size() && hexValue(s[i]) >= 0; ++n) v = v * 16 + hexValue(s[i++]);
    return static_cast<char>(v);
  }
  if (c == 'c' && i < s.size()) return static_cast<char>(s[i++] & 0x1f);
  if (octal(c)) {
    int v = c - '0';
    for (int n = 0; n < 2 && i < s.size() && octal(s[i]); ++n) v = v * 8 + (s[i++] - '0');
    return static_cast<char>(v);
  }
  switch (c) {
    case 'a': return '\a';
    case 'b': return '\b';
    case 'E': return '\x1b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return c;  // \" \' \\ \  and any other character: itself
  }
}

}  // namespace

Result<std::vector<std::string>> splitScriptWords(std::string_view line) {
  // Written here rather than taken from a library: these are keepalived's own rules (2.2.7's
  // config parser), which differ from a shell's and from boost::program_options::split_unix
  // (backslash escapes apply inside single quotes too, C-style escapes such as \t, \x41, \101,
  // \cX, an unterminated quote is an error).
  std::vector<std::string> words;
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && blank(line[i])) ++i;
    if (i >= line.size()) break;
    std::string w;
    char quote = 0;
    while (i < line.size()) {
      const char c = line[i];
      if (c == '\\') {
        ++i;
        w += unescape(line, i);
      } else if (quote != 0) {
        if (c != quote) w += c;
        else quote = 0;
        ++i;
      } else if (c == '\'' || c == '"') {
        quote = c;
        ++i;
      } else if (blank(c)) {
        break;
      } else {
        w += c;
        ++i;
      }
    }
    if (quote != 0) {
      return err(Errc::InvalidArgument, fmt::format("missing terminating {} in the command", quote));
    }
    words.push_back(std::move(w));
  }
  if (words.empty()) return err(Errc::InvalidArgument, "the command is empty");
  return words;
}

std::optional<std::string> shellSyntaxWord(const std::vector<std::string>& words) {
  static constexpr std::array kOperators{"[[", "]]", "&&", "||", ";", ";;", "|", "&", "(", ")",
                                         "{", "}", ">", ">>", "<", "<<", "2>", "2>&1", ">&2"};
  static constexpr std::array kBuiltins{"exit", "if", "then", "fi", "export", "source", ".", "cd"};
  for (std::size_t n = 0; n < words.size(); ++n) {
    const std::string& w = words[n];
    for (const char* op : kOperators) {
      if (w == op) return w;
    }
    if (n == 0) {
      for (const char* b : kBuiltins) {
        if (w == b) return w;
      }
    }
    if (w.find("$(") != std::string::npos || w.find('`') != std::string::npos) return w;
    if (w.size() > 1 && w[0] == '$' && (std::isalpha(static_cast<unsigned char>(w[1])) || w[1] == '{' || w[1] == '_')) {
      return w;
    }
    if (w.size() > 1 && (w.back() == ';' || w.starts_with(">") || w.starts_with("2>") || w.starts_with("<"))) {
      return w;
    }
  }
  return std::nullopt;
}

Result<ScriptCommand> prepareScriptCommand(std::string_view line, std::string_view path) {
  auto words = splitScriptWords(line);
  if (!words) return words.error();
  ScriptCommand cmd;
  cmd.argv = std::move(*words);
  const std::string& prog = cmd.argv[0];
  // Why `p` cannot be run; nullopt when it can. `missing` tells a PATH search to look further.
  auto problem = [](const std::string& p, bool& missing) -> std::optional<std::string> {
    struct stat st {};
    missing = false;
    if (::stat(p.c_str(), &st) != 0) {
      missing = errno == ENOENT || errno == ENOTDIR;
      return fmt::format("{}: {}", p, std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode) || ::access(p.c_str(), X_OK) != 0) {
      return fmt::format("{} is not an executable file", p);
    }
    return std::nullopt;
  };
  bool missing = false;
  if (prog.find('/') != std::string::npos) {
    if (auto why = problem(prog, missing)) return err(Errc::NotFound, *why);
    cmd.program = prog;
    return cmd;
  }
  std::optional<std::string> first_problem;  // a candidate that exists but cannot be run
  for (const std::string_view dir : hb::splitTokens(path, ":")) {
    std::string candidate = fmt::format("{}/{}", dir, prog);
    auto why = problem(candidate, missing);
    if (!why) {
      cmd.program = std::move(candidate);
      return cmd;
    }
    if (!missing && !first_problem) first_problem = std::move(why);
  }
  return err(Errc::NotFound, first_problem.value_or(fmt::format("'{}' is not found in PATH ({})", prog, path)));
}

}  // namespace hb::vrrp
