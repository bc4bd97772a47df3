package dev.jsyd.kernel;

import dev.jsyd.policy.HashAlgorithm;
import dev.jsyd.sys.Files;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the exec checks learn from a file's content — its kind (script, ELF and the ELF facts) and
 * its Force checksums — read from an fd the supervisor holds and cached by the file's
 * {@link FileStat.Key} (device, inode, size, mtime, ctime), so a build that runs the same
 * compiler a thousand times parses and hashes it once. A file that changes while it is read is
 * not cached, and its checksum is not trusted.
 */
final class FileFacts {
    private FileFacts() {}

    /** Entries per cache; a full cache is emptied (a build touches far fewer files). */
    static final int LIMIT = 4096;

    /** A file's kind: a {@code #!} script, an ELF file ({@code elf} set), or neither. */
    record Kind(boolean script, Elf elf) {
        static final Kind OTHER = new Kind(false, null);
    }

    private static final ConcurrentHashMap<FileStat.Key, Kind> KINDS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<DigestKey, String> DIGESTS = new ConcurrentHashMap<>();

    private record DigestKey(FileStat.Key file, HashAlgorithm algorithm) {}

    /** The kind of the file whose stat is {@code st} when it is known already (read before), else null. */
    static Kind knownKind(FileStat st) {
        return KINDS.get(st.key());
    }

    /**
     * The kind of the file open at {@code fd} (stat {@code st}); OTHER when it cannot be read, which
     * is not kept: a later look with a readable fd of the same file reads it.
     */
    static Kind kind(Files files, int fd, FileStat st) {
        FileStat.Key key = st.key();
        Kind k = KINDS.get(key);
        if (k != null) return k;
        byte[] head = new byte[64];
        int n = files.pread(fd, head, head.length, 0);
        if (n < 0) return Kind.OTHER; // not read (no fd, an O_PATH fd, an I/O error): nothing known to keep
        if (n >= 2 && head[0] == '#' && head[1] == '!') {
            k = new Kind(true, null);
        } else if (Elf.hasMagic(head, n)) {
            try {
                k = new Kind(false, Elf.parse((off, buf, len) -> files.pread(fd, buf, len, off)));
            } catch (Elf.NotElfException e) {
                k = Kind.OTHER;
            }
        } else {
            k = Kind.OTHER;
        }
        put(KINDS, key, k);
        return k;
    }

    /**
     * The checksum of the file open at {@code fd}, as lower-case hex; null when it cannot be read
     * whole or it changed while being read (its stat is compared before and after).
     */
    static String digest(Files files, int fd, FileStat st, HashAlgorithm algorithm) {
        DigestKey key = new DigestKey(st.key(), algorithm);
        String hex = DIGESTS.get(key);
        if (hex != null) return hex;
        HashAlgorithm.Hasher h = algorithm.newHasher();
        byte[] buf = new byte[65536];
        long off = 0;
        while (true) {
            int n = files.pread(fd, buf, buf.length, off);
            if (n < 0) return null;
            if (n == 0) break;
            h.update(buf, 0, n);
            off += n;
        }
        FileStat after = FileStat.ofFd(files, fd);
        if (after == null || !after.key().equals(st.key()) || off != st.size()) return null;
        hex = h.hex();
        put(DIGESTS, key, hex);
        return hex;
    }

    private static <K, V> void put(ConcurrentHashMap<K, V> map, K key, V value) {
        if (map.size() >= LIMIT) map.clear();
        map.put(key, value);
    }
}
