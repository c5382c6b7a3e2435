# Turns a text file into a C source defining `const char NAME[]` (NUL-terminated), so the schema
# and the report's templates are compiled into the binary. Usage:
#   cmake -DINPUT=file -DOUTPUT=file.c -DNAME=symbol -P embed.cmake
file(READ "${INPUT}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," content "${content}")
file(WRITE "${OUTPUT}" "/* generated from ${INPUT}; do not edit */\nconst char ${NAME}[] = {${content} 0x00};\n")
