// SPDX-License-Identifier: GPL-2.0-or-later
// Control request parsing: every command, and hostile inputs that must give an error, not a crash.
#include "hbd/control/request.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "hbd/control/control.h"

namespace hb::control {
namespace {

using namespace std::chrono_literals;

std::string errorOf(std::string_view line) {
  auto r = parseRequestLine(line);
  return r ? std::string("<parsed>") : r.error().message;
}

TEST(ControlRequest, EveryCommandParses) {
  EXPECT_TRUE(std::holds_alternative<StatusRequest>(*parseRequestLine(R"({"cmd":"status"})")));
  EXPECT_TRUE(std::holds_alternative<CibRequest>(*parseRequestLine(R"({"cmd":"cib"})")));
  EXPECT_TRUE(std::holds_alternative<VrrpRequest>(*parseRequestLine(R"({"cmd":"vrrp"})")));
  EXPECT_TRUE(std::holds_alternative<HistoryRequest>(*parseRequestLine(R"({"cmd":"history"})")));
  EXPECT_TRUE(std::holds_alternative<ShutdownRequest>(*parseRequestLine("{\"cmd\":\"shutdown\"}\n")));
  auto p = parseRequestLine(R"({"cmd":"parameter","name":"deadtime"})");
  ASSERT_TRUE(p);
  EXPECT_EQ(std::get<ParameterRequest>(*p).name, "deadtime");
  auto c = parseRequestLine(R"({"cmd":"cleanup","name":"fs"})");
  ASSERT_TRUE(c);
  EXPECT_EQ(std::get<CleanupRequest>(*c).name, "fs");
  for (const char* bad : {R"({"cmd":"cleanup"})", R"({"cmd":"cleanup","name":""})", R"({"cmd":"cleanup","name":7})"}) {
    EXPECT_FALSE(parseRequestLine(bad)) << bad;
  }
}

TEST(ControlRequest, MoveDefaultsAndFields) {
  auto d = parseRequestLine(R"({"cmd":"standby"})");
  ASSERT_TRUE(d);
  const auto& m = std::get<MoveRequest>(*d);
  EXPECT_EQ(m.kind, MoveRequest::Kind::Standby);
  EXPECT_EQ(m.what, "all");
  EXPECT_FALSE(m.wait);
  EXPECT_EQ(m.wait_ms, 60000ms);
  // What hb_takeover sends.
  auto t = parseRequestLine(R"({"cmd":"takeover","what":"foreign","wait":true,"wait_ms":5000})");
  ASSERT_TRUE(t);
  const auto& mt = std::get<MoveRequest>(*t);
  EXPECT_EQ(mt.kind, MoveRequest::Kind::Takeover);
  EXPECT_EQ(mt.what, "foreign");
  EXPECT_TRUE(mt.wait);
  EXPECT_EQ(mt.wait_ms, 5000ms);
  EXPECT_TRUE(parseRequestLine(R"({"cmd":"standby","wait_ms":0})"));
  EXPECT_TRUE(parseRequestLine(R"({"cmd":"standby","wait_ms":86400000})"));
}

TEST(ControlRequest, UnknownMembersAreIgnored) {
  EXPECT_TRUE(parseRequestLine(R"({"cmd":"status","verbose":true,"x":[1,2]})"));
}

TEST(ControlRequest, WrongTypesAreRefused) {
  // Once made hbd abort (json::type_error out of value("name", "")).
  EXPECT_EQ(errorOf(R"({"cmd":"parameter","name":1})"), "malformed request: \"name\" must be a string");
  EXPECT_EQ(errorOf(R"({"cmd":"parameter","name":null})"), "malformed request: \"name\" must be a string");
  EXPECT_EQ(errorOf(R"({"cmd":"parameter","name":["a"]})"), "malformed request: \"name\" must be a string");
  EXPECT_EQ(errorOf(R"({"cmd":"standby","what":{}})"), "malformed request: \"what\" must be a string");
  EXPECT_EQ(errorOf(R"({"cmd":"standby","wait":"yes"})"), "malformed request: \"wait\" must be true or false");
  EXPECT_EQ(errorOf(R"({"cmd":"standby","wait":1})"), "malformed request: \"wait\" must be true or false");
  for (const char* bad : {R"({"cmd":"standby","wait_ms":"10"})", R"({"cmd":"standby","wait_ms":1.5})",
                          R"({"cmd":"standby","wait_ms":-1})", R"({"cmd":"standby","wait_ms":86400001})",
                          R"({"cmd":"standby","wait_ms":18446744073709551615})",
                          R"({"cmd":"standby","wait_ms":-9223372036854775808})",
                          R"({"cmd":"takeover","wait_ms":null})"}) {
    EXPECT_EQ(errorOf(bad).rfind("malformed request: \"wait_ms\" must be an integer", 0), 0u) << bad;
  }
  EXPECT_EQ(errorOf(R"({"cmd":1})"), "malformed request: \"cmd\" must be a string");
  EXPECT_EQ(errorOf(R"({"cmd":null})"), "malformed request: \"cmd\" must be a string");
}

TEST(ControlRequest, MissingAndUnknownAreRefused) {
  EXPECT_EQ(errorOf(R"({"cmd":"parameter"})"), "malformed request: \"parameter\" needs \"name\"");
  EXPECT_EQ(errorOf(R"({})"), "malformed request: \"cmd\" must be a string");
  EXPECT_EQ(errorOf(R"({"cmd":"reboot"})"), "unknown command 'reboot'");
  EXPECT_EQ(errorOf(R"({"cmd":""})"), "unknown command ''");
  EXPECT_EQ(errorOf(R"({"cmd":"STATUS"})"), "unknown command 'STATUS'");
}

TEST(ControlRequest, NotJsonOrNotAnObjectIsRefused) {
  EXPECT_EQ(errorOf(""), "malformed request: not JSON");
  EXPECT_EQ(errorOf(R"({"cmd":"stat)"), "malformed request: not JSON");  // truncated
  EXPECT_EQ(errorOf(R"({"cmd":"status")"), "malformed request: not JSON");
  EXPECT_EQ(errorOf("\xff\xfe{}"), "malformed request: not JSON");
  EXPECT_EQ(errorOf(R"(["cmd","status"])"), "malformed request: not a JSON object");
  EXPECT_EQ(errorOf(R"("status")"), "malformed request: not a JSON object");
  EXPECT_EQ(errorOf("42"), "malformed request: not a JSON object");
  // Deep nesting is just data (nlohmann's parser is not recursive on input).
  EXPECT_EQ(errorOf(std::string(10000, '[') + std::string(10000, ']')), "malformed request: not a JSON object");
}

TEST(ControlRequest, OversizedIsRefused) {
  std::string big = R"({"cmd":"parameter","name":")" + std::string(kMaxRequestSize, 'x') + "\"}";
  EXPECT_EQ(errorOf(big), "request too large (more than 65536 bytes)");
  std::string fits = R"({"cmd":"parameter","name":")";
  fits += std::string(kMaxRequestSize - fits.size() - 2, 'x') + "\"}";
  ASSERT_EQ(fits.size(), kMaxRequestSize);
  EXPECT_TRUE(parseRequestLine(fits));
}

TEST(ControlRequest, ToJsonRoundTrips) {
  MoveRequest m;
  m.kind = MoveRequest::Kind::Takeover;
  m.what = "local";
  m.wait = true;
  m.wait_ms = 1234ms;
  for (const Request& r : {Request{StatusRequest{}}, Request{ParameterRequest{"udpport"}}, Request{CibRequest{}},
                           Request{VrrpRequest{}}, Request{HistoryRequest{}}, Request{m}, Request{ShutdownRequest{}},
                           Request{CleanupRequest{"fs"}}, Request{ReloadRequest{}}}) {
    auto back = parseRequest(toJson(r));
    ASSERT_TRUE(back) << toJson(r).dump();
    EXPECT_EQ(back->index(), r.index());
    EXPECT_EQ(toJson(*back), toJson(r));
  }
  EXPECT_EQ(toJson(Request{m}).dump(), R"({"cmd":"takeover","wait":true,"wait_ms":1234,"what":"local"})");
  EXPECT_EQ(errorReply("no").dump(), R"({"error":"no","ok":false})");
}

// The authorisation table: which commands only read (haclient) and which change state (root or
// admin_group). Every wire command is listed; the last check fails when a Request kind is added
// without a row here.
TEST(ControlRequest, ChangesStateForEveryKind) {
  const std::pair<const char*, bool> table[] = {
      {R"({"cmd":"status"})", false},   {R"({"cmd":"parameter","name":"deadtime"})", false},
      {R"({"cmd":"cib"})", false},      {R"({"cmd":"vrrp"})", false},
      {R"({"cmd":"history"})", false},  {R"({"cmd":"standby"})", true},
      {R"({"cmd":"takeover","what":"local","wait":true})", true},
      {R"({"cmd":"shutdown"})", true},
      {R"({"cmd":"cleanup","name":"fs"})", true},
      {R"({"cmd":"reload"})", true},
  };
  std::set<std::size_t> kinds;
  for (const auto& [line, mutates] : table) {
    auto r = parseRequestLine(line);
    ASSERT_TRUE(r) << line;
    EXPECT_EQ(changesState(*r), mutates) << line;
    EXPECT_EQ(commandName(*r), Json::parse(line)["cmd"].get<std::string>());
    kinds.insert(r->index());
  }
  EXPECT_EQ(kinds.size(), std::variant_size_v<Request>) << "a Request kind is missing from the table";
}

}  // namespace
}  // namespace hb::control
