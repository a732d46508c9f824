#!/usr/bin/env bash
# Exports the files of every release named in PAIRS.tsv from local bare mirrors into
# ${PRECISION_DATA:-/work/precision-data}/owner__name/TAG, one plain folder per tag, so
# run.sh can hand rollsafe a --root and a --base directory. Third-party data stays
# outside the repository. Idempotent: a tag already exported is skipped.
#
#   bash bench/precision/export.sh
set -euo pipefail
# PRECISION_PAIRS=FILE exports a subset (same columns as PAIRS.tsv).
pairs_file="$(realpath "${PRECISION_PAIRS:-$(dirname "$0")/PAIRS.tsv}")"
cd "$(dirname "$0")"
mirrors="${MIRRORS:-/work/.mirror}"
data="${PRECISION_DATA:-/work/precision-data}"
mkdir -p "$data"

# The fetch tool leaves a bare git directory at MIRRORS/owner+name/repo; a plain
# MIRRORS/owner+name bare clone is accepted too.
gitdir_of() {
    local d
    for d in "$mirrors/${1/\//+}/repo" "$mirrors/${1/\//+}" "$mirrors/${1/\//+}.git"; do
        if git --git-dir="$d" rev-parse --git-dir >/dev/null 2>&1; then echo "$d"; return; fi
    done
    return 1
}

export_tag() { # repo gitdir tag paths...
    local repo="$1" gd="$2" tag="$3"; shift 3
    local out="$data/${repo/\//__}/$tag"
    # The marker sits beside the export, not in it, so rollsafe never reads it.
    local done_marker="$data/${repo/\//__}/.$tag.done"
    # The marker holds the paths exported: another set of paths exports again (an empty
    # marker, written before markers held paths, is taken as done).
    if [ -f "$done_marker" ] && { [ ! -s "$done_marker" ] || [ "$(cat "$done_marker")" = "$*" ]; }; then
        return 0
    fi
    # Paths are listed for the newest layout; a path missing at an older tag is
    # skipped rather than failing the archive.
    local present=() p
    for p in "$@"; do
        git --git-dir="$gd" cat-file -e "$tag:$p" 2>/dev/null && present+=("$p")
    done
    rm -rf "$out" && mkdir -p "$out"
    # Snapshots may lack their largest blobs; git archive then warns "invalid object"
    # about files outside the requested paths, which is harmless.
    # A blob a snapshot lacks inside the requested paths would abort the archive: only
    # files whose blob is present are archived (the missing are counted).
    if [ ${#present[@]} -gt 0 ]; then
        local listing
        listing="$(mktemp)"
        paste -d' ' \
            <(git --git-dir="$gd" ls-tree -r --format='%(objectname)' "$tag" -- "${present[@]}" |
                git --git-dir="$gd" cat-file --batch-check='%(objecttype)' --buffer) \
            <(git --git-dir="$gd" ls-tree -r --format='%(path)' "$tag" -- "${present[@]}") |
            sed -n 's/^blob //p' >"$listing"
        local missing
        missing=$(( $(git --git-dir="$gd" ls-tree -r --name-only "$tag" -- "${present[@]}" | wc -l) - $(wc -l <"$listing") ))
        [ "$missing" -gt 0 ] && echo "  $repo $tag: $missing files whose blob the snapshot lacks are left out" >&2
        if [ -s "$listing" ]; then
            tr '\n' '\0' <"$listing" | xargs -0 git --git-dir="$gd" archive --worktree-attributes "$tag" -- | tar -x -i -C "$out"
        fi
        rm -f "$listing"
    fi
    echo "$*" >"$done_marker"
    echo "exported $repo $tag (${#present[@]}/$# paths, $(find "$out" -type f | wc -l) files)"
}

status=0
# A commit of commit pairs is the head of one pair and the base of the next, each row
# listing the folders its change touched. Both sides of a pair must hold the same folders
# (a folder only one side holds reads as added or deleted), so every tag of a repository
# is exported with the union of the paths of all its rows.
declare -A paths_of tags_of
while IFS=$'\t' read -r repo base head paths; do
    [ "$repo" = repo ] && continue # header
    [ -z "$repo" ] && continue
    paths_of["$repo"]+=" $paths"
    tags_of["$repo"]+=" $base $head"
done < "$pairs_file"
for repo in "${!paths_of[@]}"; do
    if ! gd="$(gitdir_of "$repo")"; then
        echo "missing mirror for $repo under $mirrors (fetch it first)" >&2
        status=1; continue
    fi
    mapfile -t union < <(tr ' ' '\n' <<<"${paths_of[$repo]}" | sed '/^$/d' | sort -u)
    for tag in $(tr ' ' '\n' <<<"${tags_of[$repo]}" | sed '/^$/d' | sort -u); do
        export_tag "$repo" "$gd" "$tag" "${union[@]}"
    done
done
exit "$status"
