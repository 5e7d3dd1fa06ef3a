#!/usr/bin/env bash
# Makes the example product images in examples/images/ with the vips command-line tool
# (apt install libvips-tools): 20 small, visually distinct pictures (colour wave patterns,
# 12 JPEG and 8 PNG). Run once; the results are committed so scripts/run needs no network.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p images
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scales=("100 -60 40" "-80 90 30" "60 60 -100" "-110 20 80" "90 -90 -20")
offsets=("128 110 90" "120 130 100" "100 140 130" "140 100 120")
for i in $(seq 1 20); do
  hfreq=$(( (i * 3) % 7 + 1 ))
  vfreq=$(( (i * 2) % 5 ))
  vips sines "$work/wave.v" 400 300 --hfreq "$hfreq" --vfreq "$vfreq"
  scale=${scales[$(( i % ${#scales[@]} ))]}
  offset=${offsets[$(( i % ${#offsets[@]} ))]}
  if (( i % 5 == 0 || i % 7 == 0 )); then
    name=$(printf "product-%02d.png" "$i")
    vips linear --uchar -- "$work/wave.v" "images/$name" "$scale" "$offset"
  else
    name=$(printf "product-%02d.jpg" "$i")
    vips linear --uchar -- "$work/wave.v" "images/$name[Q=75,strip]" "$scale" "$offset"
  fi
  echo "images/$name"
done
