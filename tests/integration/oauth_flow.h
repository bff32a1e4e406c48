#pragma once
// The authorization flow as a client and a browser drive it over HTTP (issue 15), for the
// integration tests that need user access tokens in numbers: a cookie-keeping browser over any
// connection (a keep-alive one among them), the pages' hidden fields, and sign-in by an Ed25519
// assertion of the operator's identity system (docs/oauth.md), signed here with libsodium as
// that system would: no password check per account.
#include <sodium.h>

#include <array>
#include <boost/url.hpp>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "access/account_sessions.h"
#include "access/pkce.h"
#include "harness.h"

namespace sluice::testing::oauth {

using Fields = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kRedirect = "http://127.0.0.1:8765/callback";
inline constexpr std::string_view kVerifier = "s3cret-verifier-that-is-long-enough-for-rfc-7636-pkce";

//! application/x-www-form-urlencoded `fields`.
inline std::string Form(const Fields& fields) {
  boost::urls::url u("/");
  for (const auto& [k, v] : fields) u.params().append({k, v});
  return std::string(u.encoded_query());
}

//! The query parameter `name` of a Location ("" when absent).
inline std::string QueryParam(const std::string& location, std::string_view name) {
  boost::urls::url_view u(location);
  auto it = u.params().find(name);
  return it == u.params().end() ? "" : std::string((*it).value);
}

//! The hidden fields of a page (its forms' state and CSRF token), unescaped, then `more`.
inline Fields HiddenFields(const std::string& html, Fields more) {
  Fields out;
  static const std::regex hidden("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), hidden); it != std::sregex_iterator(); ++it) {
    std::string v = (*it)[2];
    for (auto [from, to] : {std::pair{"&amp;", "&"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}}) {
      for (size_t at = v.find(from); at != std::string::npos; at = v.find(from, at + 1)) v.replace(at, strlen(from), to);
    }
    out.emplace_back((*it)[1], v);
  }
  for (auto& f : more) out.push_back(std::move(f));
  return out;
}

//! Sends one request: method, target, bearer token, body, content type, headers.
using Send = std::function<HttpResponse(const std::string&, const std::string&, const std::string&, const std::string&,
                                        const std::string&, const std::map<std::string, std::string>&)>;

inline Send Over(const SluiceServer& s) {
  return [&s](const std::string& m, const std::string& t, const std::string& token, const std::string& body,
              const std::string& type, const std::map<std::string, std::string>& h) {
    return s.Request(m, t, token, body, type, h);
  };
}
inline Send Over(KeepAliveClient& c) {
  return [&c](const std::string& m, const std::string& t, const std::string& token, const std::string& body,
              const std::string& type, const std::map<std::string, std::string>& h) {
    return c.Request(m, t, token, body, type, h);
  };
}

//! A browser: keeps the cookies the server sets.
class Browser {
 public:
  explicit Browser(Send send) : send_(std::move(send)) {}
  HttpResponse Get(const std::string& target) { return Keep(send_("GET", target, "", "", "", Headers())); }
  HttpResponse Post(const std::string& target, const Fields& fields) {
    return Keep(send_("POST", target, "", Form(fields), "application/x-www-form-urlencoded", Headers()));
  }
  const Send& send() const { return send_; }
  std::map<std::string, std::string> cookies;

 private:
  std::map<std::string, std::string> Headers() const {
    std::string c;
    for (const auto& [k, v] : cookies) c += (c.empty() ? "" : "; ") + k + "=" + v;
    if (c.empty()) return {};
    return {{"Cookie", c}};
  }
  HttpResponse Keep(HttpResponse r) {
    auto it = r.headers.find("set-cookie");
    if (it == r.headers.end()) return r;
    std::istringstream lines(it->second);
    for (std::string line; std::getline(lines, line);) {
      std::string pair = line.substr(0, line.find(';'));
      size_t eq = pair.find('=');
      std::string name = pair.substr(0, eq), value = pair.substr(eq + 1);
      if (value.empty() || line.find("Max-Age=0") != std::string::npos) cookies.erase(name);
      else cookies[name] = value;
    }
    return r;
  }
  Send send_;
};

//! The operator's identity system: an Ed25519 key pair whose public half the server reads
//! (`[oauth] assertion_key_file`).
class AssertionSigner {
 public:
  AssertionSigner() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    crypto_sign_keypair(public_.data(), secret_.data());
  }
  //! Writes the public key (64 hex digits) to `path`.
  void WritePublicKey(const std::string& path) const {
    std::array<char, 65> hex{};
    sodium_bin2hex(hex.data(), hex.size(), public_.data(), public_.size());
    std::ofstream(path) << hex.data() << "\n";
  }
  //! An assertion that `username` signed in, valid until `expires_s` (seconds since the epoch).
  std::string Sign(const std::string& username, int64_t expires_s) const {
    const std::string payload = username + ":" + std::to_string(expires_s);
    const std::string text = "sluice-sign-in-v1:" + payload;
    std::string sig(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(text.data()), text.size(), secret_.data());
    return Base64UrlEncode(payload) + "." + Base64UrlEncode(sig);
  }
  //! Valid for five minutes from now.
  std::string Sign(const std::string& username) const {
    return Sign(username, std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() + 300);
  }

 private:
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_{};
};

//! A confidential client: what `sluice apps create --redirect-uri` printed.
struct Client {
  std::string client_id, client_secret;
  std::string Basic() const {
    const std::string creds = client_id + ":" + client_secret;
    std::string out(sodium_base64_ENCODED_LEN(creds.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(creds.data()), creds.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.find('\0'));
    return "Basic " + out;
  }
};

inline std::string AuthorizeUrl(const std::string& client_id, const std::string& scope, const std::string& state = "xyz") {
  boost::urls::url u("/i/oauth2/authorize");
  u.params().append({"response_type", "code"});
  u.params().append({"client_id", client_id});
  u.params().append({"redirect_uri", kRedirect});
  u.params().append({"scope", scope});
  u.params().append({"state", state});
  u.params().append({"code_challenge", S256Challenge(kVerifier)});
  u.params().append({"code_challenge_method", "S256"});
  return std::string(u.buffer());
}

//! What one account's authorization came to: the token endpoint's answer, or the step that
//! went wrong.
struct Issued {
  std::string failure;  // empty when the token endpoint answered 200
  std::string access_token, refresh_token;
  explicit operator bool() const { return failure.empty(); }
};

//! The whole flow in `b` for the account `assertion` names: the authorize page, sign-in by the
//! assertion (skipped when `b` holds a session), consent (allow), the code to the redirect URI,
//! and its exchange by `client` at the token endpoint.
inline Issued AuthorizeByAssertion(Browser& b, const Client& client, const std::string& scope, const std::string& assertion) {
  auto step = [](const char* what, const HttpResponse& r) {
    return Issued{std::string(what) + ": " + std::to_string(r.status) + " " + r.body.substr(0, 300), "", ""};
  };
  auto page = b.Get(AuthorizeUrl(client.client_id, scope));
  if (page.status != 200) return step("authorize page", page);
  if (!b.cookies.count("sluice_session")) {
    auto signed_in = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"action", "sign-in"}, {"assertion", assertion}}));
    if (signed_in.status != 303) return step("sign-in", signed_in);
    page = b.Get(signed_in.headers["location"]);
    if (page.status != 200) return step("consent page", page);
  }
  auto allowed = b.Post("/i/oauth2/authorize", HiddenFields(page.body, {{"decision", "allow"}}));
  if (allowed.status != 303) return step("allow", allowed);
  const std::string code = QueryParam(allowed.headers["location"], "code");
  if (code.empty()) return step("no code in the redirect", allowed);
  auto tokens = b.send()("POST", "/2/oauth2/token", "",
                         Form({{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", std::string(kRedirect)},
                               {"code_verifier", std::string(kVerifier)}}),
                         "application/x-www-form-urlencoded", {{"Authorization", client.Basic()}});
  if (tokens.status != 200) return step("token", tokens);
  auto j = tokens.Json().as_object();
  Issued out;
  out.access_token = Str(j, "access_token");
  if (j.contains("refresh_token")) out.refresh_token = Str(j, "refresh_token");
  return out;
}

}  // namespace sluice::testing::oauth
