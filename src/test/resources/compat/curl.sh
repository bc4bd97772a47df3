# Compatibility workload: curl against a local HTTP server (an ephemeral port). -q: no ~/.curlrc
# (root's home from the password database is hidden by the profiles; HOME is the job's).
set -e
mkdir site && echo "served content" > site/index.txt
python3 -c '
import functools, http.server, sys
class Q(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), functools.partial(Q, directory="site"))
open("port", "w").write(str(s.server_address[1]))
s.serve_forever()' &
server=$!
for i in $(seq 1 100); do [ -s port ] && break; sleep 0.05; done
curl -q -s "http://127.0.0.1:$(cat port)/index.txt"
curl -q -s -o fetched.txt -w '%{http_code}\n' "http://127.0.0.1:$(cat port)/index.txt"
curl -q -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$(cat port)/missing"
kill $server
rm port
