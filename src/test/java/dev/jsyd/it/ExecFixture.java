package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** Programs of every kind the exec checks tell apart, built for a test in its own directory. */
public final class ExecFixture {
    private ExecFixture() {}

    /** The exec/W^X attack probe (src/test/c/probe-exec.c). */
    public static String probe() throws IOException, InterruptedException {
        return Syd.probe("probe-exec").toString();
    }

    /** {@code int main(void){return status;}} compiled with gcc and {@code flags}. */
    public static Path cc(Path dir, String name, int status, String... flags) throws IOException, InterruptedException {
        return ccSource(dir, name, "int main(void){return " + status + ";}\n", flags);
    }

    /** {@code source} compiled with gcc and {@code flags} into {@code dir/name}. */
    public static Path ccSource(Path dir, String name, String source, String... flags) throws IOException, InterruptedException {
        Path c = dir.resolve(name + ".c");
        Files.writeString(c, source);
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-o", out.toString()));
        cmd.addAll(List.of(flags));
        cmd.add(c.toString());
        assertThat(new ProcessBuilder(cmd).inheritIO().start().waitFor()).as("gcc " + cmd).isZero();
        return out;
    }

    /** A shell script with mode 0755. */
    public static Path script(Path dir, String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /**
     * A 32-bit static ELF program (i386, non-executable stack) that exits with {@code status} through {@code int 0x80}:
     * gcc here has no -m32 libraries, so it is written byte by byte (one PT_LOAD segment).
     */
    public static Path elf32(Path dir, int status) throws IOException {
        byte[] code = {(byte) 0xb8, 1, 0, 0, 0, (byte) 0xbb, (byte) status, 0, 0, 0, (byte) 0xcd, (byte) 0x80};
        int base = 0x08048000, eh = 52, ph = 32, total = eh + 2 * ph + code.length;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0}).put(new byte[8]);
        b.putShort((short) 2).putShort((short) 3).putInt(1).putInt(base + eh + 2 * ph).putInt(eh).putInt(0).putInt(0);
        b.putShort((short) eh).putShort((short) ph).putShort((short) 2).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(0).putInt(base).putInt(base).putInt(total).putInt(total).putInt(5).putInt(0x1000); // PT_LOAD R+X
        b.putInt(0x6474e551).putInt(0).putInt(0).putInt(0).putInt(0).putInt(0).putInt(6).putInt(16); // PT_GNU_STACK RW
        b.put(code);
        Path p = dir.resolve("elf32");
        Files.write(p, b.array());
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /** x86_64 code {@code mov eax, value; ret} padded to a page: a file to map executable and call. */
    public static Path code(Path dir, String name, int value) throws IOException {
        byte[] page = new byte[4096];
        page[0] = (byte) 0xb8;
        page[1] = (byte) value;
        page[5] = (byte) 0xc3;
        Path p = dir.resolve(name);
        Files.write(p, page);
        return p;
    }

    /** The canonical path of a file (exec rules match canonical paths). */
    public static String real(Path p) throws IOException { return p.toRealPath().toString(); }

    /** The canonical path of a file named by an absolute path string. */
    public static String real(String p) throws IOException { return real(Path.of(p)); }
}
