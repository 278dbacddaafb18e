// The operator console (GET /console, GET /console/<asset>) on the operators' listener: the page
// and the files it loads, all embedded in the binary. The page carries no data and needs no
// token; the figures it shows come from /v1/admin/stats/…, which do.
#pragma once

#include "server/http_message.h"
#include "server/router.h"

namespace homeport {

// GET /console (and /console/): the page. GET /console/<name>: an embedded file by its exact
// name; any other name is the JSON 404 of every unknown endpoint. Every answer forbids inline
// script and style, framing, sniffing, caching and referrers (see the .cc).
void HandleConsole(const ServiceContext& ctx, const HttpRequest& request, Respond respond);

}  // namespace homeport
