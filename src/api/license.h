#pragma once
//! Licence terms in machine-readable form: what a plan permits a client to do with the
//! data (search, display, analytics, ai-input, ai-train), as the HTTP headers every response
//! carries (IETF aipref `Content-Usage`, `Link: rel="license"`), as the body of
//! GET /2/license/PLAN (JSON, or RSL 1.0 XML), and as robots.txt lines for crawlers.

#include <string>

#include "access/plans.h"

namespace sluice {

//! aipref: "train-ai=n, search=y" from the plan's permitted uses.
std::string ContentUsage(const Plan& plan);
//! Cloudflare content signals: "search=yes, ai-input=no, ai-train=no".
std::string ContentSignal(const Plan& plan);
//! The terms as JSON; `base_url` is where the API is served ("" for relative links).
std::string LicenseJson(const Plan& plan);
//! The terms as an RSL 1.0 document (https://rslstandard.org/rsl).
std::string LicenseRsl(const Plan& plan);
//! /robots.txt: what any client without a licence may do (nothing but search, no AI use).
std::string RobotsTxt();

}  // namespace sluice
