#!/usr/bin/env bash
# The check step of the rollsafe GitHub Action (action.yml), kept in a script so that it
# can be tested outside GitHub (tests/it/ci_scripts.rs runs it with a simulated event).
#
# Reads the event payload ($GITHUB_EVENT_PATH) to find the previous release:
#   pull_request(_target)  HEAD is the merge commit GitHub checks out by default: its first
#                          parent, exactly; else pull_request.base.sha, at the merge base
#                          (a checkout of the PR's head)
#   merge_group            merge_group.base_sha, exactly (the queue tests a merge commit)
#   push                   before, exactly (what the push added); none for a new branch
#   anything else          no base: only the newest migration of each folder is judged
# Then runs rollsafe once for three reports: SARIF to a file (uploaded by the next step),
# GitHub annotations on stdout, and Markdown appended to $GITHUB_STEP_SUMMARY.
#
# Inputs (environment): INPUT_BASE (overrides the event), INPUT_PATHS (whitespace-
# separated), INPUT_CONFIG, INPUT_FAIL_ON, INPUT_SARIF_FILE, INPUT_FETCH_BASE ("true":
# fetch a missing base commit at depth 1, the only fetch done, and never by rollsafe
# itself), ROLLSAFE (the binary, default `rollsafe` on PATH).
# Outputs ($GITHUB_OUTPUT): base, sarif-file, exit-code. Exit status: rollsafe's.
set -uo pipefail

rollsafe=${ROLLSAFE:-rollsafe}
sarif=${INPUT_SARIF_FILE:-rollsafe.sarif}
fail_on=${INPUT_FAIL_ON:-error}
event=${GITHUB_EVENT_NAME:-}
payload=${GITHUB_EVENT_PATH:-}

output() {
    if [[ -n ${GITHUB_OUTPUT:-} ]]; then
        printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
    fi
}

field() {
    # A string field of the event payload, or nothing.
    [[ -n $payload && -f $payload ]] || return 0
    jq -r "$1 // empty" "$payload"
}

zero=0000000000000000000000000000000000000000
base=${INPUT_BASE:-}
exact=false
if [[ -z $base ]]; then
    case $event in
    pull_request | pull_request_target)
        base=$(field .pull_request.base.sha)
        head=$(field .pull_request.head.sha)
        # GitHub checks out refs/pull/N/merge: a merge of the PR's head into the base
        # branch, whose first parent is the base branch as merged (the payload's base.sha
        # may be older). A commit lists its parents even in a shallow clone.
        # (No mapfile, and no bare "${parents[@]}" under set -u: macOS ships bash 3.2.)
        parents=$(git cat-file -p HEAD 2>/dev/null | sed -n 's/^parent //p')
        first=$(sed -n 1p <<<"$parents")
        second=$(sed -n 2p <<<"$parents")
        if [[ -n $second && $second == "$head" && -z $(sed -n 3p <<<"$parents") ]]; then
            base=$first
            exact=true
        elif [[ -n $base ]] && grep -qx "$base" <<<"$parents"; then
            exact=true
        fi
        ;;
    merge_group)
        base=$(field .merge_group.base_sha)
        exact=true
        ;;
    push)
        base=$(field .before)
        exact=true
        if [[ $base == "$zero" ]]; then
            echo "::notice title=rollsafe::a new branch has no previous commit: checking without a base"
            base=
        fi
        ;;
    *)
        echo "::notice title=rollsafe::no base for a ${event:-local} run: checking without one (set the action's base input to compare with a release)"
        ;;
    esac
fi

args=(check)
if [[ -n $base ]]; then
    if [[ ${INPUT_FETCH_BASE:-true} == true ]] && ! git cat-file -e "$base^{commit}" 2>/dev/null; then
        echo "rollsafe: fetching the base commit $base (depth 1)" >&2
        git fetch --quiet --no-tags --depth=1 origin "$base" ||
            echo "::warning title=rollsafe::could not fetch $base; rollsafe will say what is missing"
    fi
    if [[ $exact == true ]]; then
        args+=(--base-exact "$base")
    else
        args+=(--base "$base")
    fi
fi
if [[ -n ${INPUT_CONFIG:-} ]]; then
    args+=(--config "$INPUT_CONFIG")
fi
args+=(--fail-on "$fail_on")
summary=$(mktemp)
errors=$(mktemp)
trap 'rm -f "$summary" "$errors"' EXIT
args+=(--format sarif --output "$sarif" --format markdown --output "$summary" --format github)
# shellcheck disable=SC2086 # paths are whitespace-separated on purpose
"$rollsafe" "${args[@]}" ${INPUT_PATHS:-} 2>"$errors"
status=$?
cat "$errors" >&2

if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
    if [[ $status -le 1 && -s $summary ]]; then
        cat "$summary" >>"$GITHUB_STEP_SUMMARY"
    else
        {
            echo "### ⛔ rollsafe could not check this change (exit status $status)"
            echo
            echo "<pre>"
            sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$errors"
            echo "</pre>"
        } >>"$GITHUB_STEP_SUMMARY"
    fi
fi
output base "$base"
if [[ -f $sarif ]]; then
    output sarif-file "$(realpath "$sarif")"
fi
output exit-code "$status"
exit "$status"
