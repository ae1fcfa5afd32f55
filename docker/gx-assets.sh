#!/usr/bin/env bash
# Re-download the style sheets, scripts and web fonts of the GX Data Docs into
# include/dua/quality/gx_assets/ (`make gx-assets`): the package tarballs from
# the npm registry (`npm pack`, as npm is configured), each checked against the
# integrity pinned below, and from each only the minified files the Data Docs
# pages load.  Font Awesome's style sheet is rewritten to its woff2 fonts only
# (the ttf fallbacks are left out).  README.md in that folder is kept as it is;
# the license texts are taken from the tarballs (LICENSES/).  Needs npm, tar and
# python3.  Not run by `make test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/include/dua/quality/gx_assets}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
new=$work/out
mkdir -p "$new/LICENSES"

# name version integrity (the sha512 the npm registry publishes for the tarball)
fetch() {
    local name=$1 version=$2 integrity=$3 base=${1##*/} tgz got
    tgz=$(cd "$work" && npm pack "$name@$version" --silent --pack-destination "$work" | tail -n 1)
    got=sha512-$(python3 -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode())' "$work/$tgz")
    if [[ $got != "$integrity" ]]; then
        echo "gx-assets: $name@$version has integrity $got, expected $integrity" >&2
        exit 1
    fi
    mkdir -p "$work/$base"
    tar xzf "$work/$tgz" -C "$work/$base"
    pkg=$work/$base/package
    echo "gx-assets: $name@$version ($tgz)"
}
put() { install -D -m 644 "$pkg/$1" "$new/$2"; }

fetch bootstrap 4.3.1 sha512-rXqOmH1VilAt2DyPzluTi2blhk17bO7ef+zLLPlWvG494pDxcM234pJ8wTc/6R40UWizAIIMgxjvxZg5kmsbag==
put dist/css/bootstrap.min.css bootstrap/bootstrap.min.css
put dist/js/bootstrap.min.js bootstrap/bootstrap.min.js
put LICENSE LICENSES/bootstrap.txt

fetch @forevolve/bootstrap-dark 1.1.0 sha512-A3ucpEpxPoTVO490lZZCfjPXxv832l7mm1IxX3bXyxvgwnPGXDLyh7dWrphXKO8YBAu3EswbBEu3VSW8NRMW3A==
put dist/css/bootstrap-prefers-dark.min.css bootstrap-dark/bootstrap-prefers-dark.min.css
put LICENSE LICENSES/bootstrap-dark.txt

fetch bootstrap-table 1.19.1 sha512-WvV+l1AI/C+zThaKmfHmi/IuayVNB0qdFyEhFx1jyZhO0oLtNJNANkCR3rvJf6Dkh72dsLElxpE/bzK9seEQLA==
put dist/bootstrap-table.min.css bootstrap-table/bootstrap-table.min.css
put dist/bootstrap-table.min.js bootstrap-table/bootstrap-table.min.js
put dist/extensions/filter-control/bootstrap-table-filter-control.min.css bootstrap-table/bootstrap-table-filter-control.min.css
put dist/extensions/filter-control/bootstrap-table-filter-control.min.js bootstrap-table/bootstrap-table-filter-control.min.js
put LICENSE LICENSES/bootstrap-table.txt

fetch bootstrap-datepicker 1.9.0 sha512-9rYYbaVOheGYxjOr/+bJCmRPihfy+LkLSg4fIFMT9Od8WwWB/MB50w0JO1eBgKUMbb7PFHQD5uAfI3ArAxZRXA==
put dist/css/bootstrap-datepicker.min.css bootstrap-datepicker/bootstrap-datepicker.min.css
put dist/js/bootstrap-datepicker.min.js bootstrap-datepicker/bootstrap-datepicker.min.js
put LICENSE LICENSES/bootstrap-datepicker.txt

fetch jquery 3.7.1 sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==
put dist/jquery.min.js jquery/jquery.min.js
put LICENSE.txt LICENSES/jquery.txt

fetch popper.js 1.12.9 sha512-s0EEi9xiSCdqz9lV4IiVH5yIZnDX/U1t0tCjB+0jXx9jW8lrR7kOpVupiUg175ogqVoudpDXHF1p6dKATCHMeg==
put dist/umd/popper.min.js popper.js/popper.min.js
# the tarball has no license file: its header names the MIT License and the holder
holder=$(grep -m1 -o 'Copyright (C) [^*]*[0-9]' "$pkg/dist/umd/popper.min.js")
cat >"$new/LICENSES/popper.js.txt" <<EOF
The MIT License (MIT)

$holder

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF

fetch @fortawesome/fontawesome-free 6.6.0 sha512-60G28ke/sXdtS9KZCpZSHHkCbdsOGEhIUGlwq6yhY74UpTiToIh8np7A8yphhM4BWsvNFtIvLpi4co+h9Mr9Ow==
mkdir -p "$new/fontawesome/css"
sed -E 's/,url\(\.\.\/webfonts\/[A-Za-z0-9_-]+\.ttf\) format\("truetype"\)//g' "$pkg/css/all.min.css" \
    >"$new/fontawesome/css/all.min.css"
if grep -q '\.ttf' "$new/fontawesome/css/all.min.css"; then
    echo "gx-assets: Font Awesome's style sheet still names a ttf font" >&2
    exit 1
fi
for font in $(grep -o 'webfonts/[A-Za-z0-9_-]*\.woff2' "$new/fontawesome/css/all.min.css" | sort -u); do
    put "$font" "fontawesome/$font"
done
put LICENSE.txt LICENSES/fontawesome-free.txt

fetch vega 5.33.1 sha512-1fArfVDUqVbb5z8n+/nVQb+VNBzx8svY6CrsyTK4Ujm4yrd9I1auoKxBAPXLCavY1LcrbHUskQbGUP8gXOzyQw==
put build/vega.min.js vega/vega.min.js
fetch vega-lite 5.23.0 sha512-l4J6+AWE3DIjvovEoHl2LdtCUkfm4zs8Xxx7INwZEAv+XVb6kR6vIN1gt3t2gN2gs/y4DYTs/RPoTeYAuEg6mA==
put build/vega-lite.min.js vega/vega-lite.min.js
put LICENSE LICENSES/vega-lite.txt
fetch vega-embed 6.29.0 sha512-PmlshTLtLFLgWtF/b23T1OwX53AugJ9RZ3qPE2c01VFAbgt3/GSNI/etzA/GzdrkceXFma+FDHNXUppKuM0U6Q==
put build/vega-embed.min.js vega/vega-embed.min.js
put LICENSE LICENSES/vega-embed.txt
# the vega tarball has no license file; its package.json says BSD-3-Clause, and
# the holder is the one of vega-lite and vega-embed: the same text
cp "$new/LICENSES/vega-embed.txt" "$new/LICENSES/vega.txt"

mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
cp -R "$new/." "$dest/"
echo "gx-assets: $(find "$dest" -type f | wc -l) files, $(du -sk "$dest" | cut -f1) KiB in $dest"
