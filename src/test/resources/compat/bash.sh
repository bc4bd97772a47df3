# Compatibility workload: bash (pipes, subshells, job control, here-documents, traps).
set -u
echo "pipe: $(printf 'b\na\nc\n' | sort | tr '\n' ' ')"
echo "subshell lines: $( (echo one; echo two) | wc -l)"
set -m
y=$(echo from-a-substitution); echo "$y"
sleep 0.2 & wait $!; echo "background status $?"
( exit 3 ); echo "subshell status $?"
true | false | true; echo "pipeline status $?"
set +m
cat <<EOF
here-document, expanded: $HOME
EOF
cat <<'EOF'
here-document, quoted: $HOME
EOF
f() { local v=$1; echo "function got $v"; }; f an-argument
trap 'echo trapped USR1' USR1; kill -USR1 $$
read -r line < <(echo process-substitution); echo "$line"
printf 'one\ntwo\n' > lines.txt
while read -r l; do echo "read $l"; done < lines.txt
exec 3> fd3.txt; echo "through fd 3" >&3; exec 3>&-; cat fd3.txt
