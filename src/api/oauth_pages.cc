#include "api/oauth_pages.h"

#include "core/time_format.h"

namespace sluice {

namespace {

// One column, system fonts, large tap targets; no script, no external resource.
constexpr std::string_view kStyle =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f5f7f9;color:#0f1419}"
    "main{max-width:30rem;margin:0 auto;padding:1.5rem 1rem}"
    "h1{font-size:1.4rem;line-height:1.3}"
    "label{display:block;margin:1rem 0 .3rem;font-weight:600}"
    "input[type=text],input[type=password]{box-sizing:border-box;width:100%;font-size:1rem;padding:.7rem;border:1px solid #8899a6;border-radius:.4rem}"
    "button{font-size:1rem;padding:.75rem 1.2rem;border-radius:2rem;border:1px solid #0f1419;background:#fff;margin:1rem .5rem 0 0;min-width:8rem}"
    "button.primary{background:#0f1419;color:#fff}"
    "button:focus,input:focus{outline:3px solid #1d9bf0;outline-offset:2px}"
    ".error{background:#fde8ec;border:1px solid #f4212e;padding:.7rem;border-radius:.4rem}"
    ".notice{background:#e8f5fd;border:1px solid #1d9bf0;padding:.7rem;border-radius:.4rem}"
    "ul{padding-left:1.2rem}li{margin:.4rem 0}.app{background:#fff;border:1px solid #cfd9de;border-radius:.6rem;padding:1rem;margin:1rem 0}"
    "code{font-size:.9rem}";

std::string Page(std::string_view title, std::string_view body) {
  std::string out;
  out.reserve(2048 + body.size());
  out += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta name=\"referrer\" content=\"no-referrer\"><title>";
  out += HtmlEscape(title);
  out += "</title><style>";
  out += kStyle;
  out += "</style></head><body><main>\n";
  out += body;
  out += "\n</main></body></html>\n";
  return out;
}

void Hidden(const HiddenFields& fields, std::string& out) {
  for (const auto& [name, value] : fields)
    out += "<input type=\"hidden\" name=\"" + HtmlEscape(name) + "\" value=\"" + HtmlEscape(value) + "\">\n";
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderSignIn(const SignInPage& p) {
  std::string body = "<h1>" + HtmlEscape(p.heading) + "</h1>\n";
  if (!p.error.empty()) body += "<p class=\"error\" role=\"alert\">" + HtmlEscape(p.error) + "</p>\n";
  body += "<form method=\"post\" action=\"" + HtmlEscape(p.action) + "\">\n";
  Hidden(p.hidden, body);
  body += "<label for=\"username\">Username</label>\n"
          "<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" "
          "spellcheck=\"false\" required value=\"" +
          HtmlEscape(p.username) +
          "\">\n"
          "<label for=\"password\">Password</label>\n"
          "<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\n"
          "<button type=\"submit\" class=\"primary\" name=\"action\" value=\"sign-in\">Sign in</button>\n"
          "</form>";
  return Page(p.heading, body);
}

std::string RenderConsent(const ConsentPage& p) {
  std::string heading = "Authorize " + p.app_name + " to use your account?";
  std::string body = "<h1>" + HtmlEscape(heading) + "</h1>\n";
  body += "<p>Signed in as <strong>@" + HtmlEscape(p.username) + "</strong>.</p>\n";
  body += "<p><strong>" + HtmlEscape(p.app_name) + "</strong>, an app of <strong>" + HtmlEscape(p.owner) +
          "</strong>, asks to:</p>\n<ul>\n";
  for (size_t i = 0; i < kScopes.size(); ++i) {
    if (!(p.scopes & (ScopeSet(1) << i))) continue;
    body += "<li>" + HtmlEscape(kScopes[i].description) + " <code>" + HtmlEscape(kScopes[i].name) + "</code></li>\n";
  }
  body += "</ul>\n<p>Your answer is sent to <strong>" + HtmlEscape(p.redirect_host) +
          "</strong>. You can revoke the app's access at any time on <a href=\"/i/account/apps\">your authorized "
          "apps</a> page.</p>\n";
  body += "<form method=\"post\" action=\"/i/oauth2/authorize\">\n";
  Hidden(p.hidden, body);
  body += "<button type=\"submit\" class=\"primary\" name=\"decision\" value=\"allow\">Authorize app</button>\n"
          "<button type=\"submit\" name=\"decision\" value=\"deny\">Cancel (deny)</button>\n"
          "</form>";
  return Page(heading, body);
}

std::string RenderAccountApps(const AccountAppsPage& p) {
  std::string body = "<h1>Apps you authorized</h1>\n";
  body += "<p>Signed in as <strong>@" + HtmlEscape(p.username) + "</strong>.</p>\n";
  if (!p.notice.empty()) body += "<p class=\"notice\" role=\"status\">" + HtmlEscape(p.notice) + "</p>\n";
  if (p.apps.empty()) body += "<p>No app can use your account.</p>\n";
  for (const AuthorizedApp& app : p.apps) {
    body += "<section class=\"app\" aria-label=\"" + HtmlEscape(app.app_name) + "\">\n<h2>" + HtmlEscape(app.app_name) +
            "</h2>\n<p>An app of " + HtmlEscape(app.project_name) + ", authorized on " +
            HtmlEscape(FormatDate(app.first_granted_at)) + ". It may:</p>\n<ul>\n";
    for (size_t i = 0; i < kScopes.size(); ++i)
      if (app.scopes & (ScopeSet(1) << i))
        body += "<li>" + HtmlEscape(kScopes[i].description) + " <code>" + HtmlEscape(kScopes[i].name) + "</code></li>\n";
    body += "</ul>\n<form method=\"post\" action=\"/i/account/apps\">\n";
    Hidden({{"csrf_token", p.csrf_token}, {"app_id", std::to_string(app.app_id)}}, body);
    body += "<button type=\"submit\" name=\"action\" value=\"revoke\">Revoke access of " + HtmlEscape(app.app_name) +
            "</button>\n</form>\n</section>\n";
  }
  body += "<form method=\"post\" action=\"/i/account/apps\">\n";
  Hidden({{"csrf_token", p.csrf_token}}, body);
  body += "<button type=\"submit\" name=\"action\" value=\"sign-out\">Sign out</button>\n</form>";
  return Page("Apps you authorized", body);
}

std::string RenderErrorPage(std::string_view heading, std::string_view message) {
  std::string body = "<h1>" + HtmlEscape(heading) + "</h1>\n<p class=\"error\" role=\"alert\">" + HtmlEscape(message) + "</p>";
  return Page(heading, body);
}

}  // namespace sluice
