#!/usr/bin/env bash
# Make dist/lanyard-<version>-macos-<arch>.dmg from dist/Lanyard.app (built by packaging/lanyard.spec's
# BUNDLE on macOS): the app and an /Applications link to drag it onto, in a compressed image.
#   bash packaging/macos/make_dmg.sh
# With LANYARD_CODESIGN_IDENTITY set (a "Developer ID Application" identity in the keychain) the
# image is signed too; with LANYARD_NOTARY_PROFILE (a `xcrun notarytool store-credentials` profile)
# it is notarized and the ticket stapled, so Gatekeeper opens it without a warning; when that profile
# was stored in a keychain other than the login one, LANYARD_NOTARY_KEYCHAIN names it.
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
# hdiutil fails now and then with "Resource busy" on GitHub's macOS runners (a previous image still
# attached, Spotlight indexing the volume): try a few times, waiting longer each time
attempt=1
until hdiutil create -volname "Lanyard $version" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"; do
  if [ "$attempt" -ge 5 ]; then
    echo "make_dmg.sh: hdiutil create failed $attempt times" >&2
    exit 1
  fi
  echo "make_dmg.sh: hdiutil create failed (attempt $attempt), trying again in $((attempt * 5)) s" >&2
  sleep $((attempt * 5))
  attempt=$((attempt + 1))
  rm -f "$dmg"
done

if [ -n "${LANYARD_CODESIGN_IDENTITY:-}" ]; then
  codesign --sign "$LANYARD_CODESIGN_IDENTITY" --timestamp "$dmg"
  if [ -n "${LANYARD_NOTARY_PROFILE:-}" ]; then
    # the profile is found only in the keychain it was stored in (store-credentials --keychain);
    # (the ${a[@]+...} spelling: macOS' bash 3.2 calls an empty array unbound under set -u)
    keychain=()
    if [ -n "${LANYARD_NOTARY_KEYCHAIN:-}" ]; then
      keychain=(--keychain "$LANYARD_NOTARY_KEYCHAIN")
    fi
    xcrun notarytool submit "$dmg" --keychain-profile "$LANYARD_NOTARY_PROFILE" ${keychain[@]+"${keychain[@]}"} --wait
    xcrun stapler staple "$dmg"
  fi
fi
hdiutil verify "$dmg"
echo "dmg: $dmg ($(du -h "$dmg" | cut -f1))"
