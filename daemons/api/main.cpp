// smsgw-api: the customer REST API daemon. See run_api.h and smsgw-api(8).
#include "api/run_api.h"

int main(int argc, char** argv) { return smsgw::api::RunApi(argc, argv); }
