#!/usr/bin/env bash
# `make install` with a prefix: library, headers, pkg-config file, program and
# data land under the prefix, and a program compiles and links against them
# through pkg-config.
source "$(dirname "$0")/cli_lib.sh"
BUILD=$(cd "$(dirname "$VERHM")" && pwd)
cmake --install "$BUILD" --prefix "$T/prefix" >"$T/install.log" 2>&1
check "cmake --install --prefix succeeds" [ $? -eq 0 ]
check "headers installed" test -f "$T/prefix/include/verhm/core.h"
check "shared library installed" sh -c "ls '$T'/prefix/lib*/libverhm.so* >/dev/null 2>&1"
check "static library installed" sh -c "ls '$T'/prefix/lib*/libverhm.a >/dev/null 2>&1"
check "models and data installed" sh -c "test -f '$T/prefix/share/verhm/models/fer-emotion.safetensors' && test -f '$T/prefix/share/verhm/data/poi_rules.tsv'"
PCDIR=$(dirname "$(ls "$T"/prefix/lib*/pkgconfig/verhm.pc)")
cat >"$T/use.c" <<'C'
#include <verhm/core.h>
#include <stdio.h>
int main(void) { printf("%s %s\n", vh_version(), vh_strerror(VH_EFORMAT)); return 0; }
C
cc "$T/use.c" $(PKG_CONFIG_PATH="$PCDIR" pkg-config --cflags --libs verhm) -o "$T/use" 2>"$T/cc.log"
check "a program builds with pkg-config ($(head -c 200 "$T/cc.log"))" test -x "$T/use"
LD_LIBRARY_PATH=$(dirname "$PCDIR") "$T/use" >"$T/use.out" 2>&1
check "and runs against the installed library" grep -q "malformed" "$T/use.out"
"$T/prefix/bin/verhm" --version >"$T/v.out" 2>&1
check "installed verhm runs" grep -q "verhm" "$T/v.out"
finish
