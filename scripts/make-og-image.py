#!/usr/bin/env python3
"""Draws api/static/og-default.png: the picture a shared link to a page of
Vindplaats shows when neither the offering nor its library has one of its own
(docs/site.md). 1200 x 630 (what social media crop a link card to), the
site's blue, a magnifying glass and the word "Vindplaats" in a block font.
Only the standard library: run it again after changing it, and commit the PNG.
    scripts/make-og-image.py [OUT.png]
"""
import struct
import sys
import zlib

W, H = 1200, 630
BLUE = (11, 83, 148)
WHITE = (255, 255, 255)
LIGHT = (207, 226, 243)

# 5 x 7 glyphs of the letters the word needs ('#' is ink).
GLYPHS = {
    'V': ["#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
    'i': ["..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."],
    'n': [".....", ".....", "####.", "#...#", "#...#", "#...#", "#...#"],
    'd': ["....#", "....#", ".####", "#...#", "#...#", "#...#", ".####"],
    'p': [".....", ".....", "####.", "#...#", "####.", "#....", "#...."],
    'l': [".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
    'a': [".....", ".....", ".###.", "....#", ".####", "#...#", ".####"],
    't': [".#...", ".#...", "####.", ".#...", ".#...", ".#..#", "..##."],
    's': [".....", ".....", ".####", "#....", ".###.", "....#", "####."],
}


def draw():
    px = [[BLUE] * W for _ in range(H)]
    # the magnifying glass: a ring and a handle
    cx, cy, r_out, r_in = 250, 270, 120, 92
    for y in range(H):
        for x in range(W):
            d2 = (x - cx) ** 2 + (y - cy) ** 2
            if r_in ** 2 <= d2 <= r_out ** 2:
                px[y][x] = WHITE
            # the handle: a thick stroke from the ring down to the right
            t = ((x - cx) + (y - cy)) / 2.0
            off = abs((x - cx) - (y - cy)) / 1.4142
            if r_out * 0.72 < t < r_out * 1.55 and off < 22:
                px[y][x] = WHITE
    # the word, 12 px a dot, a column of space between letters
    word, scale = "Vindplaats", 12
    x0, y0 = 430, 228
    for ch in word:
        g = GLYPHS[ch]
        for gy, row in enumerate(g):
            for gx, c in enumerate(row):
                if c == '#':
                    for yy in range(y0 + gy * scale, y0 + (gy + 1) * scale):
                        for xx in range(x0 + gx * scale, x0 + (gx + 1) * scale):
                            px[yy][xx] = WHITE
        x0 += 6 * scale
    # a rule under the word
    for yy in range(360, 368):
        for xx in range(430, 1150):
            px[yy][xx] = LIGHT
    return px


def png(px):
    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in px)

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "api/static/og-default.png"
    with open(out, "wb") as f:
        f.write(png(draw()))
