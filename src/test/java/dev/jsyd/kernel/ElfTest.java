package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The ELF facts the exec checks use, on synthetic files and on this system's programs. */
class ElfTest {
    /** A minimal ELF file: header, program headers, then the interpreter string and dynamic section. */
    static byte[] elf(boolean is32, int type, String interp, Integer stackFlags, Long flags1) {
        int eh = is32 ? 52 : 64, ph = is32 ? 32 : 56;
        int nph = (interp != null ? 1 : 0) + (stackFlags != null ? 1 : 0) + (flags1 != null ? 1 : 0) + 1;
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is32 ? 1 : 2), 1, 1, 0}).put(new byte[8]);
        b.putShort((short) type).putShort((short) (is32 ? 3 : 62)).putInt(1);
        int data = eh + nph * ph;
        if (is32) b.putInt(0x1000).putInt(eh).putInt(0);
        else b.putLong(0x1000).putLong(eh).putLong(0);
        b.putInt(0).putShort((short) eh).putShort((short) ph).putShort((short) nph).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.position(eh);
        phdr(b, is32, 1 /* PT_LOAD */, 5, 0, data);
        int off = data;
        if (interp != null) {
            phdr(b, is32, Elf.PT_INTERP, 4, off, interp.length() + 1);
            b.put(off, interp.getBytes());
            off += interp.length() + 1;
        }
        if (stackFlags != null) phdr(b, is32, Elf.PT_GNU_STACK, stackFlags, 0, 0);
        if (flags1 != null) {
            off = (off + 7) & ~7;
            int size = is32 ? 16 : 32;
            phdr(b, is32, Elf.PT_DYNAMIC, 6, off, size);
            if (is32) b.putInt(off, (int) Elf.DT_FLAGS_1).putInt(off + 4, flags1.intValue());
            else b.putLong(off, Elf.DT_FLAGS_1).putLong(off + 8, flags1);
            off += size;
        }
        return Arrays.copyOf(b.array(), off);
    }

    private static void phdr(ByteBuffer b, boolean is32, int type, int flags, int off, int size) {
        if (is32) b.putInt(type).putInt(off).putInt(0).putInt(0).putInt(size).putInt(size).putInt(flags).putInt(4);
        else b.putInt(type).putInt(flags).putLong(off).putLong(0).putLong(0).putLong(size).putLong(size).putLong(8);
    }

    static Elf parse(byte[] f) throws Elf.NotElfException {
        return Elf.parse((off, buf, len) -> {
            if (off >= f.length) return 0;
            int n = (int) Math.min(len, f.length - off);
            System.arraycopy(f, (int) off, buf, 0, n);
            return n;
        });
    }

    static final String LD = "/lib64/ld-linux-x86-64.so.2";

    @Test
    void pieDynamicProgram() throws Exception {
        Elf e = parse(elf(false, Elf.ET_DYN, LD, 6, Elf.DF_1_PIE));
        assertThat(e.is32()).isFalse();
        assertThat(e.isPie()).isTrue();
        assertThat(e.isDynamic()).isTrue();
        assertThat(e.interpreter()).isEqualTo(LD);
        assertThat(e.isLoader()).isFalse();
        assertThat(e.executableStack()).isFalse();
    }

    @Test
    void nonPieStaticAndExecutableStack() throws Exception {
        Elf e = parse(elf(false, Elf.ET_EXEC, null, 7, null));
        assertThat(e.isPie()).isFalse();
        assertThat(e.isStatic()).isTrue();
        assertThat(e.isLoader()).as("ET_EXEC is never the loader").isFalse();
        assertThat(e.executableStack()).isTrue();
    }

    @Test
    void theLoaderIsASharedObjectWithoutInterpreterOrPieFlag() throws Exception {
        assertThat(parse(elf(false, Elf.ET_DYN, null, 6, 0L)).isLoader()).isTrue();
        assertThat(parse(elf(false, Elf.ET_DYN, null, 6, null)).isLoader()).isTrue();
        assertThat(parse(elf(false, Elf.ET_DYN, null, 6, Elf.DF_1_PIE)).isLoader()).as("static-pie").isFalse();
    }

    @Test
    void thirtyTwoBitWithoutGnuStackHasAnExecutableStack() throws Exception {
        Elf e = parse(elf(true, Elf.ET_EXEC, null, null, null));
        assertThat(e.is32()).isTrue();
        assertThat(e.executableStack()).isTrue();
        assertThat(parse(elf(false, Elf.ET_EXEC, null, null, null)).executableStack()).as("64-bit default").isFalse();
        assertThat(parse(elf(true, Elf.ET_DYN, "/lib/ld-linux.so.2", 6, Elf.DF_1_PIE)).isDynamic()).isTrue();
    }

    @Test
    void badFilesAreNotElf() {
        assertThatThrownBy(() -> parse("#!/bin/sh\n".getBytes())).isInstanceOf(Elf.NotElfException.class);
        byte[] truncated = Arrays.copyOf(elf(false, Elf.ET_DYN, LD, 6, null), 70);
        assertThatThrownBy(() -> parse(truncated)).isInstanceOf(Elf.NotElfException.class);
        byte[] badInterp = elf(false, Elf.ET_DYN, LD, 6, null);
        badInterp[badInterp.length - 1] = 'x'; // not NUL-terminated
        assertThatThrownBy(() -> parse(badInterp)).isInstanceOf(Elf.NotElfException.class);
        byte[] manyHeaders = elf(false, Elf.ET_DYN, null, null, null);
        manyHeaders[56] = (byte) 0xff;
        manyHeaders[57] = (byte) 0xff;
        assertThatThrownBy(() -> parse(manyHeaders)).isInstanceOf(Elf.NotElfException.class);
    }

    @Test
    void thisSystemsProgramsAndLoader() throws Exception {
        Elf sh = parse(Files.readAllBytes(Path.of("/bin/sh").toRealPath()));
        assertThat(sh.isDynamic()).isTrue();
        assertThat(sh.isLoader()).isFalse();
        assertThat(sh.executableStack()).isFalse();
        Elf ld = parse(read(Path.of(LD)));
        assertThat(ld.isLoader()).as(ld.describe()).isTrue();
        assertThat(ld.isPie()).isTrue();
    }

    private static byte[] read(Path p) throws IOException { return Files.readAllBytes(p.toRealPath()); }
}
