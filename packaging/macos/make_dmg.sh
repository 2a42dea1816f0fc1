#!/usr/bin/env bash
# Make dist/lanyard-<version>-macos-<arch>.dmg from dist/Lanyard.app (built by packaging/lanyard.spec's
# BUNDLE on macOS): the app and an /Applications link to drag it onto, in a compressed image.
#   bash packaging/macos/make_dmg.sh
# With LANYARD_CODESIGN_IDENTITY set (a "Developer ID Application" identity in the keychain) the
# image is signed too; with LANYARD_NOTARY_PROFILE (a `xcrun notarytool store-credentials` profile)
# it is notarized and the ticket stapled, so Gatekeeper opens it without a warning.
# macOS only (hdiutil); run by .github/workflows/installers.yml, never on Linux CI: see the README.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(uname -s)" != Darwin ]; then
  echo "make_dmg.sh: needs macOS (hdiutil)" >&2
  exit 2
fi
version=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
app=dist/Lanyard.app
dmg="dist/lanyard-${version}-macos-$(uname -m).dmg"
[ -d "$app" ] || { echo "make_dmg.sh: $app is missing: run pyinstaller packaging/lanyard.spec first" >&2; exit 1; }
# the bundle must carry the version the package is named after
plist_version=$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$app/Contents/Info.plist")
[ "$plist_version" = "$version" ] || { echo "Info.plist says $plist_version, pyproject.toml $version" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# ditto keeps the bundle's symlinks, extended attributes and signatures intact
ditto "$app" "$stage/Lanyard.app"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "Lanyard $version" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${LANYARD_CODESIGN_IDENTITY:-}" ]; then
  codesign --sign "$LANYARD_CODESIGN_IDENTITY" --timestamp "$dmg"
  if [ -n "${LANYARD_NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$dmg" --keychain-profile "$LANYARD_NOTARY_PROFILE" --wait
    xcrun stapler staple "$dmg"
  fi
fi
hdiutil verify "$dmg"
echo "dmg: $dmg ($(du -h "$dmg" | cut -f1))"
