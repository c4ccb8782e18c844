#!/usr/bin/env bash
# Media throughput on this machine: decode fps of the GRID clips (MPEG-1
# 360x288, to RGB) and H.264+AAC encode fps at 512x768, verhm vs the ffmpeg
# CLI doing the same work (same FFmpeg 5.1 libraries, same thread count).
# Usage: bench/media/run.sh [THREADS]   (default 2; VERHM_DATA selects the data)
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
data=${VERHM_DATA:-../shared/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -std=c11 -O2 -DNDEBUG -Iinclude -Isrc bench/media/bench_media.c src/media/*.c src/image/*.c src/core/*.c \
   $(pkg-config --cflags --libs libavformat libavcodec libavutil libswscale libswresample libavdevice libpng libjpeg) \
   -lpthread -lm -o "$work/bench_media"
export VERHM_THREADS=$threads
now() { date +%s.%N; }
echo "load: $(cut -d" " -f1-3 /proc/loadavg)"
echo "machine: $(uname -m), $(nproc) cores, threads $threads, $(ffmpeg -version | head -1 | cut -d' ' -f1-3)"
echo
echo "decode to RGB, all 10 GRID clips, median of 5 passes each"
total_f=0; total_s=0
for clip in "$data"/video/grid/*.mpg; do
  read -r _ _ f s _ < <("$work/bench_media" decode "$clip" 5)
  total_f=$((total_f + f)); total_s=$(echo "$total_s + $s" | bc -l)
done
printf '  verhm (vh_video_read)         %5d frames %7.3f s %8.1f fps\n' "$total_f" "$total_s" "$(echo "$total_f / $total_s" | bc -l)"
t0=$(now)
for clip in "$data"/video/grid/*.mpg; do
  ffmpeg -nostdin -v error -threads "$threads" -i "$clip" -an -pix_fmt rgb24 -f null - 
done
t1=$(now)
printf '  ffmpeg CLI (-pix_fmt rgb24)   %5d frames %7.3f s %8.1f fps  (one pass, incl. process start)\n' "$total_f" "$(echo "$t1 - $t0" | bc -l)" "$(echo "$total_f / ($t1 - $t0)" | bc -l)"
echo
echo "encode 512x768 @30 fps, 300 frames + 16 kHz AAC (time in the writer calls only)"
for preset in medium veryfast; do
  read -r _ _ p n s fps < <("$work/bench_media" encode "$work/out.mp4" 512 768 300 "$preset")
  printf '  verhm writer, preset %-9s %5d frames %7.3f s %8.1f fps\n' "$p" "$n" "$s" "$fps"
done
# Peer: the same H.264 settings from raw RGB frames (the decoded verhm output).
ffmpeg -nostdin -v error -i "$work/out.mp4" -f rawvideo -pix_fmt rgb24 "$work/raw.rgb"
for preset in medium veryfast; do
  t0=$(now)
  ffmpeg -nostdin -v error -y -f rawvideo -pix_fmt rgb24 -s 512x768 -r 30 -i "$work/raw.rgb" \
    -c:v libx264 -preset "$preset" -crf 20 -pix_fmt yuv420p -threads "$threads" "$work/peer.mp4"
  t1=$(now)
  printf '  ffmpeg CLI,   preset %-9s %5d frames %7.3f s %8.1f fps  (incl. reading raw frames)\n' "$preset" 300 "$(echo "$t1 - $t0" | bc -l)" "$(echo "300 / ($t1 - $t0)" | bc -l)"
done
