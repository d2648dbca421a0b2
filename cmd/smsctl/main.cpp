#include "context.h"

int main(int argc, char** argv) { return smsgw::smsctl::SmsctlMain(argc, argv); }
