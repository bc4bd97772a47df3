# Compatibility workload: python3 (threads, a multiprocessing Pool, ThreadingHTTPServer and
# urllib, sqlite3), then a venv with pip installing a local package offline.
# compat-ignore: ^pkg/hello\.egg-info/
# compat-ignore: /__pycache__/
# compat-ignore: ^home/\.cache/
# compat-ignore: ^pkg/build/
set -e
cat > work.py <<'EOF'
import concurrent.futures, functools, http.server, multiprocessing, os, sqlite3, threading, urllib.request

def write(i):
    p = "t/%d.txt" % i
    with open(p, "w") as f:
        f.write("x" * i)
    fd = os.open(p, os.O_RDONLY)
    size = os.fstat(fd).st_size
    os.close(fd)
    return i, size, p.split("/")[1] in os.listdir("t")

def square(x):
    return x * x

class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

if __name__ == "__main__":
    os.mkdir("t")
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        results = sorted(ex.map(write, range(32)))
    print("threads", len(results), sum(r[1] for r in results), all(r[2] for r in results))
    with multiprocessing.Pool(4) as pool:
        print("pool", sum(pool.map(square, range(1000))))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory="t"))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        bodies = list(ex.map(lambda i: urllib.request.urlopen("http://127.0.0.1:%d/%d.txt" % (port, i)).read(), range(32)))
    srv.shutdown()
    print("http", len(bodies), sum(len(b) for b in bodies))
    db = sqlite3.connect("db.sqlite")
    db.execute("create table t (a integer, b text)")
    db.executemany("insert into t values (?, ?)", [(i, str(i)) for i in range(1000)])
    db.commit()
    print("sqlite", db.execute("select count(*), sum(a) from t").fetchone())
EOF
python3 work.py
# The venv reuses the system's pip and setuptools (ensurepip's bootstrap alone takes seconds).
python3 -m venv --system-site-packages --without-pip venv
mkdir -p pkg/hello
printf 'from setuptools import setup\nsetup(name="hello", version="1.0", packages=["hello"])\n' > pkg/setup.py
echo 'def hi(): return "hello from a local package"' > pkg/hello/__init__.py
venv/bin/python -m pip install -q --no-index --no-build-isolation --disable-pip-version-check ./pkg
venv/bin/python -c 'import hello; print(hello.hi(), hello.__file__.startswith("'"$PWD"'/venv/"))'
