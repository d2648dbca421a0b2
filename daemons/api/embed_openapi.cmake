# Writes ${OUT}: a .cpp defining smsgw::api::OpenApiDocument() from ${IN} (openapi.json), so the
# daemon serves the document kept in the repository without a file beside the binary.
file(READ ${IN} doc)
file(WRITE ${OUT}.tmp "// Generated from daemons/api/openapi.json by embed_openapi.cmake.\n#include \"api/openapi.h\"\n\nnamespace smsgw::api {\n\nstd::string_view OpenApiDocument() {\n  static constexpr char kDocument[] = R\"smsgwdoc(${doc})smsgwdoc\";\n  return {kDocument, sizeof(kDocument) - 1};\n}\n\n}  // namespace smsgw::api\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
