#include "sched/run_sched.h"

int main(int argc, char** argv) { return smsgw::sched::RunSched(argc, argv); }
