# Compatibility workload: java (-version, javac and run); the sandbox allows W+X memory for the JIT.
set -e
java -version 2>&1 | head -1 | cut -d'"' -f1
cat > Hello.java <<'EOF'
public class Hello {
    public static void main(String[] args) throws Exception {
        var t = new Thread(() -> System.out.println("hello from a thread"));
        t.start();
        t.join();
        System.out.println(java.nio.file.Files.readAllLines(java.nio.file.Path.of("Hello.java")).size() + " lines");
    }
}
EOF
javac Hello.java
java -XX:-UsePerfData Hello
