package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broad smoke of ordinary programs under the default-deny syscall table (issue 12.1): shells,
 * Python (threads, processes, asyncio, sockets), git, gcc, make, Perl, archivers, text tools,
 * sqlite3, openssl, jq, curl, rustc, the JVM and Node. Each batch is one shell script whose every
 * command prints its output and exit status; the output under syd ({@code -p off}, and
 * {@code -p user} for what that profile allows) must be what the same script prints natively.
 * The JVM and Node generate code, so their batch runs with {@code trace/allow_unsafe_memory:1}
 * (MDWE refuses JIT memory, as Syd's does). Debian's gcc, cc1 and node are not position
 * independent, which Syd refuses by default: every batch runs with {@code trace/allow_unsafe_exec_nopie:1}.
 */
class ProgramSmokeIT {
    @TempDir Path tmp;

    static final String C = """
            #include <pthread.h>
            #include <stdio.h>
            static void *f(void *a) { return a; }
            int main(void) { pthread_t t; pthread_create(&t, 0, f, 0); pthread_join(t, 0); puts("hello"); return 0; }
            """;

    /** Commands every profile allows (run in the batch's own directory). */
    static final List<String> COMMON = List.of(
            "sh -c 'echo hi | cat; (exit 3); echo $?'",
            "bash -c 'for i in 1 2 3; do echo $i; done | sort -r; sleep 0.1 & wait; echo ${#BASH_VERSINFO[@]} >/dev/null'",
            "python3 -c 'import subprocess,threading,multiprocessing as m,asyncio,socket\n"
                    + "print(subprocess.run([\"true\"]).returncode)\n"
                    + "t=threading.Thread(target=print,args=(\"thread\",)); t.start(); t.join()\n"
                    + "with m.Pool(2) as p: print(p.map(abs,[-1,-2]))\n"
                    + "s=socket.socket(); s.bind((\"127.0.0.1\",0)); s.listen(); c=socket.create_connection(s.getsockname()); a,_=s.accept(); c.send(b\"x\"); print(a.recv(1))\n"
                    + "print(asyncio.run(asyncio.sleep(0,\"async\")))'",
            "git init -q repo && cd repo && echo a > a && git add a && git -c user.email=a@b -c user.name=n commit -qm m && git log --oneline | wc -l",
            "printf '%s' \"$HELLO_C\" > hello.c && gcc -O1 -pthread -o hello hello.c && ./hello",
            "printf 'all: hello2\\nhello2: hello.c\\n\\t$(CC) -pthread -o $@ $<\\n' > Makefile && make -s && ./hello2",
            "perl -e 'print \"perl\\n\"; system(\"true\"); print $?, \"\\n\"'",
            "tar czf t.tgz hello.c && tar tzf t.tgz && gzip -c hello.c | gzip -dc | wc -c",
            "find /etc -maxdepth 1 -name 'host*' | sort | head -2; grep -c root /etc/passwd; echo abc | sed s/b/B/ | awk '{print $1}'",
            "sqlite3 :memory: 'create table t(x); insert into t values(1),(2); select count(*) from t;'",
            "echo data | openssl dgst -sha256",
            "echo '{\"a\":[1,2]}' | jq -c '.a'",
            "curl -s file:///etc/hostname | wc -c",
            "zip -q z.zip hello.c && unzip -l z.zip | tail -1",
            "file -b hello.c");

    /** Commands the user profile does not allow (paths outside it), checked under -p off. */
    static final List<String> OFF_ONLY = List.of(
            "xz -kf hello.c && xz -dc hello.c.xz | wc -c",
            "ps -o comm= -p 1",
            "printf 'fn main(){ let h = std::thread::spawn(|| 1); println!(\"rust {}\", h.join().unwrap()); }' > r.rs && rustc -o rs r.rs && ./rs");

    /** Programs that generate code (need trace/allow_unsafe_memory). */
    static final List<String> JIT = List.of(
            "printf 'public class Hi { public static void main(String[] a) throws Exception { var t = new Thread(() -> System.out.println(\"thread\")); t.start(); t.join(); System.out.println(new ProcessBuilder(\"true\").start().waitFor()); } }' > Hi.java && java Hi.java",
            "node -e 'const cp=require(\"child_process\"); console.log(cp.execSync(\"echo n\").toString().trim()); const {Worker}=require(\"worker_threads\"); new Worker(\"process.exit(3)\",{eval:true}).on(\"exit\",c=>console.log(\"worker\",c))'");

    static final String NOPIE = "trace/allow_unsafe_exec_nopie:1";

    static String script(List<String> cmds) {
        StringBuilder s = new StringBuilder();
        int i = 0;
        for (String c : cmds) s.append("echo '== ").append(++i).append("'\n(").append(c).append(") 2>&1; echo \"rc=$?\"\n");
        return s.toString();
    }

    /** Runs the batch natively in a fresh directory. */
    String nativeRun(String name, List<String> cmds) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("native-" + name));
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script(cmds)).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("HELLO_C", C);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** Runs the batch under syd with {@code policy} in a fresh directory. */
    Syd.Result sydRun(String name, List<String> cmds, List<String> policy) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path sh = dir.resolve("batch.sh");
        Files.writeString(sh, "cd '" + dir + "'\n" + script(cmds));
        List<String> args = new ArrayList<>(policy);
        args.addAll(List.of("--", "sh", sh.toString()));
        return Syd.run(args, null, Map.of("HELLO_C", C), Duration.ofSeconds(180));
    }

    void same(String name, List<String> cmds, List<String> policy) throws Exception {
        String nat = nativeRun(name, cmds);
        assertThat(nat.split("\n")).as("every command works natively: " + nat).filteredOn(l -> l.equals("rc=0")).hasSize(cmds.size());
        var r = sydRun(name, cmds, policy);
        assertThat(r.out()).as(policy + "\n" + r.err()).isEqualTo(nat);
    }

    @Test
    void ordinaryProgramsRunAsNativelyUnderProfileOff() throws Exception {
        List<String> all = new ArrayList<>(COMMON);
        all.addAll(OFF_ONLY);
        same("off", all, List.of("-poff", "-m", NOPIE));
    }

    @Test
    void ordinaryProgramsRunAsNativelyUnderProfileUser() throws Exception {
        same("user", COMMON, List.of("-puser", "-m", NOPIE));
    }

    @Test
    void theJvmAndNodeRunWithExecutableMemoryAllowed() throws Exception {
        same("jit-off", JIT, List.of("-poff", "-m", "trace/allow_unsafe_memory:1", "-m", NOPIE));
    }
}
