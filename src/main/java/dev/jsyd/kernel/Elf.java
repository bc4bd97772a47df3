package dev.jsyd.kernel;

/**
 * What the exec checks need to know about an ELF file, read from its own bytes (pure Java: the
 * caller supplies a positioned reader over a file it holds open, so what is parsed is the file
 * that is checked). Only the ELF header, the program headers, the {@code PT_INTERP} string and
 * the dynamic section are read; every size is bounded like the kernel's ELF loader bounds it.
 *
 * <ul>
 *   <li>{@link #is32()}: ELFCLASS32 ({@code trace/deny_elf32});</li>
 *   <li>{@link #isDynamic()}: it names an interpreter ({@code PT_INTERP}), {@link #isStatic()}
 *       otherwise ({@code trace/deny_elf_dynamic}, {@code trace/deny_elf_static});</li>
 *   <li>{@link #isPie()}: {@code ET_DYN} ({@code trace/allow_unsafe_exec_nopie});</li>
 *   <li>{@link #executableStack()}: {@code PT_GNU_STACK} asks for an executable stack, or a
 *       32-bit file has none (the kernel then makes the stack executable)
 *       ({@code trace/allow_unsafe_exec_stack});</li>
 *   <li>{@link #isLoader()}: a dynamic loader run as the program — {@code ET_DYN} without an
 *       interpreter and not marked {@code DF_1_PIE} (a static-PIE program is)
 *       ({@code trace/allow_unsafe_exec_ldso}).</li>
 * </ul>
 */
public record Elf(boolean is32, int type, int machine, String interpreter, boolean hasGnuStack,
                  boolean stackFlagExecutable, boolean flagPie) {
    public static final int ET_EXEC = 2, ET_DYN = 3;
    static final int PT_DYNAMIC = 2, PT_INTERP = 3, PT_GNU_STACK = 0x6474e551, PF_X = 1;
    static final long DT_NULL = 0, DT_FLAGS_1 = 0x6ffffffbL, DF_1_PIE = 0x08000000L;
    /** The kernel refuses more program headers than fit in 64 KiB. */
    static final int MAX_PHDR_BYTES = 65536;
    static final int PATH_MAX = 4096;
    /** Dynamic entries looked at, at most (the section is short in real files). */
    static final int MAX_DYNAMIC_BYTES = 65536;

    /** Positioned reads of the file being parsed. */
    @FunctionalInterface
    public interface Reader {
        /** Reads up to {@code len} bytes at {@code offset} into {@code buf}; the count, or negative on error. */
        int read(long offset, byte[] buf, int len);
    }

    /** The file is not an ELF file the kernel would load (bad magic or inconsistent headers). */
    public static final class NotElfException extends Exception {
        public NotElfException(String message) { super(message, null, false, false); }
    }

    public boolean isDynamic() { return interpreter != null; }

    public boolean isStatic() { return interpreter == null; }

    public boolean isPie() { return type == ET_DYN; }

    public boolean executableStack() { return stackFlagExecutable || (!hasGnuStack && is32); }

    public boolean isLoader() { return type == ET_DYN && interpreter == null && !flagPie; }

    /** True when {@code head} starts with the ELF magic. */
    public static boolean hasMagic(byte[] head, int len) {
        return len >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
    }

    /** Parses the file {@code r} reads. */
    public static Elf parse(Reader r) throws NotElfException {
        byte[] eh = new byte[64];
        int n = r.read(0, eh, 64);
        if (!hasMagic(eh, n)) throw new NotElfException("no ELF magic");
        boolean is32 = eh[4] == 1;
        if (!is32 && eh[4] != 2) throw new NotElfException("bad ELF class " + eh[4]);
        if (eh[5] != 1 && eh[5] != 2) throw new NotElfException("bad ELF data encoding " + eh[5]);
        Bytes b = new Bytes(eh, eh[5] == 1);
        if (n < (is32 ? 52 : 64)) throw new NotElfException("short ELF header");
        int type = b.u16(16), machine = b.u16(18);
        long phoff = is32 ? b.u32(28) : b.u64(32);
        int phentsize = b.u16(is32 ? 42 : 54), phnum = b.u16(is32 ? 44 : 56);
        int want = is32 ? 32 : 56;
        if (phentsize != want) throw new NotElfException("bad program header size " + phentsize);
        if (phnum < 1 || (long) phnum * want > MAX_PHDR_BYTES) throw new NotElfException("bad program header count " + phnum);
        byte[] ph = new byte[phnum * want];
        if (phoff < 0 || r.read(phoff, ph, ph.length) != ph.length) throw new NotElfException("program headers not in the file");
        Bytes p = new Bytes(ph, b.little);
        String interp = null;
        boolean gnuStack = false, stackX = false;
        long dynOff = -1, dynSize = 0;
        for (int i = 0; i < phnum; i++) {
            int o = i * want;
            long ptype = p.u32(o);
            long flags = is32 ? p.u32(o + 24) : p.u32(o + 4);
            long off = is32 ? p.u32(o + 4) : p.u64(o + 8);
            long filesz = is32 ? p.u32(o + 16) : p.u64(o + 32);
            if (ptype == PT_INTERP && interp == null) {
                if (filesz < 2 || filesz > PATH_MAX) throw new NotElfException("bad PT_INTERP size " + filesz);
                byte[] s = new byte[(int) filesz];
                if (r.read(off, s, s.length) != s.length || s[s.length - 1] != 0) throw new NotElfException("bad PT_INTERP");
                int len = 0;
                while (s[len] != 0) len++;
                interp = new String(s, 0, len, java.nio.charset.StandardCharsets.ISO_8859_1);
            } else if (ptype == PT_GNU_STACK) {
                gnuStack = true;
                stackX = (flags & PF_X) != 0;
            } else if (ptype == PT_DYNAMIC && dynOff < 0) {
                dynOff = off;
                dynSize = Math.min(filesz, MAX_DYNAMIC_BYTES);
            }
        }
        boolean pie = dynOff >= 0 && type == ET_DYN && flags1(r, b.little, is32, dynOff, (int) dynSize);
        return new Elf(is32, type, machine, interp, gnuStack, stackX, pie);
    }

    /** True when the dynamic section carries {@code DT_FLAGS_1} with {@code DF_1_PIE}. */
    private static boolean flags1(Reader r, boolean little, boolean is32, long off, int size) {
        int ent = is32 ? 8 : 16;
        if (off < 0 || size < ent) return false;
        byte[] d = new byte[size - size % ent];
        int got = r.read(off, d, d.length);
        if (got <= 0) return false;
        Bytes b = new Bytes(d, little);
        for (int o = 0; o + ent <= got; o += ent) {
            long tag = is32 ? b.u32(o) : b.u64(o);
            long val = is32 ? b.u32(o + 4) : b.u64(o + 8);
            if (tag == DT_NULL) break;
            if (tag == DT_FLAGS_1) return (val & DF_1_PIE) != 0;
        }
        return false;
    }

    /** A short description for logs and {@code syd-elf}: class, type, linkage, stack. */
    public String describe() {
        return (is32 ? "32" : "64") + "-bit " + (isLoader() ? "loader" : isPie() ? "pie" : type == ET_EXEC ? "non-pie" : "type-" + type)
                + (isDynamic() ? " dynamic " + interpreter : " static") + (executableStack() ? " execstack" : "");
    }

    /** Little- or big-endian integer reads. */
    private record Bytes(byte[] a, boolean little) {
        int u8(int o) { return a[o] & 0xff; }

        int u16(int o) { return little ? u8(o) | u8(o + 1) << 8 : u8(o) << 8 | u8(o + 1); }

        long u32(int o) {
            return little ? (u16(o) & 0xffffL) | (u16(o + 2) & 0xffffL) << 16 : (u16(o) & 0xffffL) << 16 | (u16(o + 2) & 0xffffL);
        }

        long u64(int o) { return little ? u32(o) | u32(o + 4) << 32 : u32(o) << 32 | u32(o + 4); }
    }
}
