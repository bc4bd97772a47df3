package dev.jsyd.policy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.Checksum;

/**
 * The checksum algorithms of Force sandboxing ({@code force+PATH:ALG:HEX}), by the names Syd
 * uses (the Linux crypto API's): every digest the JDK provides, plus the CRC checksums.
 * A CRC is written as its 32-bit value in hex, most significant byte first ({@code cbf43926}
 * for crc32 of "123456789"); the reversed byte order (what the kernel's crypto API returns) is
 * accepted too, see docs/DECISIONS.md.
 */
public enum HashAlgorithm {
    MD5("md5", "MD5", 16), SHA1("sha1", "SHA-1", 20), SHA224("sha224", "SHA-224", 28),
    SHA256("sha256", "SHA-256", 32), SHA384("sha384", "SHA-384", 48), SHA512("sha512", "SHA-512", 64),
    SHA3_224("sha3-224", "SHA3-224", 28), SHA3_256("sha3-256", "SHA3-256", 32),
    SHA3_384("sha3-384", "SHA3-384", 48), SHA3_512("sha3-512", "SHA3-512", 64),
    CRC32("crc32", null, 4), CRC32C("crc32c", null, 4);

    private final String sydName;
    private final String jdkName;
    private final int length;

    HashAlgorithm(String sydName, String jdkName, int length) {
        this.sydName = sydName;
        this.jdkName = jdkName;
        this.length = length;
    }

    public String sydName() { return sydName; }

    /** Digest length in bytes (hex digits: twice that). */
    public int length() { return length; }

    public boolean isCrc() { return jdkName == null; }

    public static Optional<HashAlgorithm> byName(String name) {
        for (HashAlgorithm a : values()) if (a.sydName.equals(name)) return Optional.of(a);
        return Optional.empty();
    }

    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (HashAlgorithm a : values()) out.add(a.sydName);
        return out;
    }

    /** An incremental hasher. */
    public interface Hasher {
        void update(byte[] b, int off, int len);

        /** The digest as lower-case hex. */
        String hex();
    }

    public Hasher newHasher() {
        if (isCrc()) {
            Checksum c = this == CRC32 ? new java.util.zip.CRC32() : new java.util.zip.CRC32C();
            return new Hasher() {
                @Override public void update(byte[] b, int off, int len) { c.update(b, off, len); }
                @Override public String hex() { return String.format("%08x", c.getValue()); }
            };
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + jdkName, e);
        }
        return new Hasher() {
            @Override public void update(byte[] b, int off, int len) { md.update(b, off, len); }
            @Override public String hex() { return java.util.HexFormat.of().formatHex(md.digest()); }
        };
    }

    /** True when {@code expected} (lower-case hex) is {@code actual}, a CRC in either byte order. */
    public boolean matches(String expected, String actual) {
        if (expected.equals(actual)) return true;
        if (!isCrc() || actual.length() != 8) return false;
        StringBuilder rev = new StringBuilder(8);
        for (int i = 6; i >= 0; i -= 2) rev.append(actual, i, i + 2);
        return expected.contentEquals(rev);
    }
}
