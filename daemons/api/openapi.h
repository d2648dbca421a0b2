#pragma once

#include <string_view>

namespace smsgw::api {

// The OpenAPI 3.1 document of the customer API (daemons/api/openapi.json, built in).
std::string_view OpenApiDocument();

}  // namespace smsgw::api
