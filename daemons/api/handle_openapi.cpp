// GET /v1/openapi.json: the API's own description, as kept in the repository.
#include "api/handlers.h"
#include "api/openapi.h"

namespace smsgw::api {

HttpResponse HandleOpenApi(const ApiDeps&, const Call&) {
  HttpResponse r;
  r.status = 200;
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = std::string(OpenApiDocument());
  return r;
}

}  // namespace smsgw::api
