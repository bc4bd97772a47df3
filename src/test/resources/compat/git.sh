# Compatibility workload: git (init, commit, gc with two pack threads, clone, log, fsck).
# compat-ignore: \.git/index$
# compat-ignore: \.git/objects/pack/
# compat-ignore: \.git/objects/info/packs$
set -e
export GIT_AUTHOR_NAME=jsyd GIT_AUTHOR_EMAIL=jsyd@example.org GIT_COMMITTER_NAME=jsyd GIT_COMMITTER_EMAIL=jsyd@example.org
export GIT_AUTHOR_DATE='2001-01-01T00:00:00Z' GIT_COMMITTER_DATE='2001-01-01T00:00:00Z'
git init -q -b main repo
cd repo
git config gc.auto 0
for i in $(seq 1 20); do seq 1 $((i * 200)) > "f$i"; echo "line $i" >> shared; git add .; git commit -qm "commit $i"; done
git -c pack.threads=2 gc -q
git fsck --no-progress --strict
git count-objects -v | grep -E '^(count|in-pack|packs|garbage):'
cd ..
git clone -q repo clone
git -C clone log --format='%H %s' | head -3
git -C clone rev-list --count HEAD
git -C clone log -p --follow f3 | wc -l
git -C clone status --short | wc -l
