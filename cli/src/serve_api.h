#pragma once
// The JSON API of `comet serve` (docs/serve.md), without HTTP: a path and its query parameters
// in, a status and a JSON body out, so tests call it in-process. Each request opens the
// database read-only (an older schema is refused, never upgraded: the server never writes) and
// answers from the functions behind `comet ls sweeps`, `show`, `compare` and `export`
// (query_tables.h), the figures' grid_bands and the store's queries.

#include <filesystem>
#include <memory>
#include <string>

#include "serve_request.h"
#include "serve_trial_cache.h"

namespace comet::cli {

struct ApiRequest {
  std::string path;  // decoded, e.g. "/api/sweeps/quickstart/trials"
  QueryList params;  // decoded query parameters, in order
};

struct ApiResponse {
  int status = 200;
  std::string body;  // JSON; {"error": "...", "status": N} when status is not 200
};

class ServeApi {
 public:
  explicit ServeApi(std::filesystem::path db)
      : db_(std::move(db)), trials_(std::make_shared<TrialListCache>()) {}
  // Never throws: a bad request is 400 (or 404 for an unknown path, sweep or trial), a database
  // that is missing, locked, damaged or of another schema 503, anything else 500.
  ApiResponse handle(const ApiRequest& request) const;

 private:
  std::filesystem::path db_;
  std::shared_ptr<TrialListCache> trials_;  // shared by the server's threads (it locks)
};

}  // namespace comet::cli
