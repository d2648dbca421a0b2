# Writes ${OUT}: a .cpp defining smsgw::pg::Migrations() from the SQL files in ${DIR}, so that
# smsctl migrate needs no files beside the binary.
file(GLOB files ${DIR}/*.sql)
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(name ${f} NAME_WE)
  string(REGEX MATCH "^[0-9]+" version ${name})
  math(EXPR version "${version}")
  file(READ ${f} sql)
  string(APPEND body "    {${version}, \"${name}\", R\"smsgwsql(${sql})smsgwsql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from lib/pg/migrations by embed_migrations.cmake.\n#include \"pg/migrate.h\"\n\nnamespace smsgw::pg {\n\nconst std::vector<Migration>& Migrations() {\n  static const std::vector<Migration> kAll = {\n${body}  };\n  return kAll;\n}\n\n}  // namespace smsgw::pg\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
