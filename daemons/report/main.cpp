// smsgw-report: batches status events from Redis into PostgreSQL and answers report queries.
// Everything lives in the smsgw_report library so tests link the same code.
#include "run_report.h"

int main(int argc, char** argv) { return smsgw::report::RunReport(argc, argv); }
