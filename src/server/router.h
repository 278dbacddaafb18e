// Router: the server's protocol logic as a plain function from request to response, over
// injected services. Tests call it without sockets; the HTTP session only reads and writes.
#pragma once

#include <string>
#include <vector>

#include "homeport/env.h"
#include "server/group_commit_writer.h"
#include "server/http_message.h"
#include "server/server_metrics.h"
#include "store/store.h"

namespace homeport {

// Everything a handler may use. Not owned; all of it outlives the Router.
struct ServiceContext {
  std::string region;                  // the only region this server serves
  Store* store = nullptr;              // reads; writes go through `writer`
  GroupCommitWriter* writer = nullptr;
  ServerMetrics* metrics = nullptr;
  Env* env = nullptr;
  std::vector<std::string> manifests;  // signed region manifests served at GET /v1/manifest
};

inline constexpr size_t kMaxBodyBytes = 1 << 20;  // 1 MB on the wire

class Router {
 public:
  explicit Router(ServiceContext ctx) : ctx_(std::move(ctx)) {}

  // Calls `respond` exactly once, now or later (after a commit), from any thread.
  void Handle(const HttpRequest& request, Respond respond) const;

  const ServiceContext& context() const { return ctx_; }

 private:
  ServiceContext ctx_;
};

// POST /v1/activations
void HandleActivation(const ServiceContext& ctx, const HttpRequest& request, Respond respond);

}  // namespace homeport
