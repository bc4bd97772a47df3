package dev.jsyd.policy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Network rule patterns: {@code IP[/prefix][!port|!lo-hi]} (IPv4 or IPv6), symbolic aliases
 * ({@code any}, {@code loopback4}, ...), UNIX socket path globs ({@code /run/*.sock}) and abstract
 * socket globs ({@code @name}).
 */
public final class Address {
    private Address() {}

    /** A malformed address; {@link #index()} is the 0-based offset of the problem. */
    public static final class AddressException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int index;
        private final String expected;

        AddressException(int index, String msg, String expected) {
            super(msg);
            this.index = index;
            this.expected = expected;
        }

        public int index() { return index; }

        public String expected() { return expected; }
    }

    /** A parsed network rule pattern. Equality is by meaning (masked network, ports, glob text). */
    public sealed interface Pattern permits Inet, Unix {
        /** The normalised text, as it is printed back. */
        String text();
    }

    /** An IP network (address masked to its prefix). */
    public record Cidr(byte[] addr, int prefix) {
        public Cidr {
            addr = mask(addr.clone(), prefix);
        }

        public boolean isV4() { return addr.length == 4; }

        public boolean contains(byte[] a) {
            if (a.length != addr.length) return false;
            int full = prefix / 8, rem = prefix % 8;
            for (int i = 0; i < full; i++) if (a[i] != addr[i]) return false;
            if (rem == 0) return true;
            int m = (0xff << (8 - rem)) & 0xff;
            return (a[full] & m) == (addr[full] & m);
        }

        public String text() {
            String ip = format(addr);
            return prefix == addr.length * 8 ? ip : ip + "/" + prefix;
        }

        @Override public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.addr, addr);
        }

        @Override public int hashCode() { return Arrays.hashCode(addr) * 31 + prefix; }

        @Override public String toString() { return text(); }

        private static byte[] mask(byte[] a, int prefix) {
            for (int i = 0; i < a.length; i++) {
                int bits = Math.max(0, Math.min(8, prefix - i * 8));
                a[i] = (byte) (a[i] & ((0xff << (8 - bits)) & 0xff));
            }
            return a;
        }
    }

    /** A closed port range. */
    public record PortRange(int lo, int hi) {
        public static final PortRange ALL = new PortRange(0, 65535);

        public boolean contains(int port) { return port >= lo && port <= hi; }

        public String text() { return lo == hi ? Integer.toString(lo) : lo + "-" + hi; }
    }

    /** IP networks (one, or several for an alias) with a port range. */
    public record Inet(String alias, List<Cidr> nets, PortRange ports, boolean portGiven) implements Pattern {
        public Inet {
            nets = List.copyOf(nets);
        }

        public boolean matches(byte[] v4, byte[] v6, int port) {
            if (!ports.contains(port)) return false;
            for (Cidr c : nets) {
                if (c.isV4() ? v4 != null && c.contains(v4) : v6 != null && c.contains(v6)) return true;
            }
            return false;
        }

        @Override public String text() {
            String host = alias != null ? alias : nets.get(0).text();
            return portGiven ? host + "!" + ports.text() : host;
        }

        @Override public boolean equals(Object o) {
            return o instanceof Inet i && i.nets.equals(nets) && i.ports.equals(ports) && i.portGiven == portGiven
                    && java.util.Objects.equals(i.alias, alias);
        }

        @Override public int hashCode() { return nets.hashCode() * 31 + ports.hashCode(); }
    }

    /** A UNIX socket path glob, or an abstract socket glob starting with {@code @}. */
    public record Unix(Glob glob) implements Pattern {
        public boolean abstractSocket() { return glob.pattern().startsWith("@"); }

        public boolean matches(String pathOrAt) { return glob.matches(pathOrAt); }

        @Override public String text() { return glob.pattern(); }
    }

    private static final Map<String, List<String>> ALIASES = new LinkedHashMap<>();

    static {
        ALIASES.put("any4", List.of("0.0.0.0/0"));
        ALIASES.put("any6", List.of("::/0"));
        ALIASES.put("any", List.of("0.0.0.0/0", "::/0"));
        ALIASES.put("loopback4", List.of("127.0.0.0/8"));
        ALIASES.put("loopback6", List.of("::1/128"));
        ALIASES.put("loopback", List.of("127.0.0.0/8", "::1/128"));
        ALIASES.put("local4", List.of("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"));
        ALIASES.put("local6", List.of("::1/128", "fe80::/7", "fc00::/7", "fec0::/7"));
        ALIASES.put("local", List.of("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                "::1/128", "fe80::/7", "fc00::/7", "fec0::/7"));
        ALIASES.put("linklocal4", List.of("169.254.0.0/16"));
        ALIASES.put("linklocal6", List.of("fe80::/10"));
        ALIASES.put("linklocal", List.of("169.254.0.0/16", "fe80::/10"));
        ALIASES.put("multicast4", List.of("224.0.0.0/4"));
        ALIASES.put("multicast6", List.of("ff00::/8"));
        ALIASES.put("multicast", List.of("224.0.0.0/4", "ff00::/8"));
    }

    /** Alias name → the networks it stands for. */
    public static Map<String, List<String>> aliases() { return java.util.Collections.unmodifiableMap(ALIASES); }

    /**
     * Parses a network rule pattern (byte string, glob escapes kept for UNIX paths).
     *
     * @throws AddressException when malformed
     */
    public static Pattern parse(String text) {
        if (text.isEmpty()) throw new AddressException(0, "missing address", ADDR_EXPECTED);
        char c0 = text.charAt(0);
        if (c0 == '/' || c0 == '@') {
            try {
                return new Unix(Glob.compile(text));
            } catch (Glob.GlobSyntaxException e) {
                throw new AddressException(e.index(), e.getMessage(), "a valid glob");
            }
        }
        int sep = text.indexOf('!');
        if (sep < 0) sep = text.indexOf('@'); // historical port separator
        String host = sep < 0 ? text : text.substring(0, sep);
        PortRange ports = PortRange.ALL;
        boolean portGiven = false;
        if (sep >= 0) {
            ports = parsePorts(text.substring(sep + 1), sep + 1);
            portGiven = true;
        }
        List<String> alias = ALIASES.get(host);
        if (alias != null) {
            List<Cidr> nets = new ArrayList<>();
            for (String a : alias) nets.add(parseCidr(a, 0));
            return new Inet(host, nets, ports, portGiven);
        }
        return new Inet(null, List.of(parseCidr(host, 0)), ports, portGiven);
    }

    static final String ADDR_EXPECTED =
            "an address: IP[/prefix][!port[-port]], an alias (any, any4, any6, loopback, loopback4, loopback6, "
                    + "local, linklocal, multicast, ...), a UNIX socket path glob, or @abstract";

    /** Parses {@code port} or {@code lo-hi}. */
    public static PortRange parsePorts(String s, int offset) {
        String exp = "a port 0-65535 or a range lo-hi";
        if (s.isEmpty()) throw new AddressException(offset, "missing port after `!`", exp);
        int dash = s.indexOf('-');
        int lo = parsePort(dash < 0 ? s : s.substring(0, dash), offset);
        int hi = dash < 0 ? lo : parsePort(s.substring(dash + 1), offset + dash + 1);
        if (hi < lo) throw new AddressException(offset, "empty port range " + s + " (low end above high end)", exp);
        return new PortRange(lo, hi);
    }

    private static int parsePort(String s, int offset) {
        String exp = "a port 0-65535 or a range lo-hi";
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new AddressException(offset, "invalid port `" + s + "`", exp);
        }
        int p = Integer.parseInt(s);
        if (p > 65535) throw new AddressException(offset, "port " + p + " out of range", exp);
        return p;
    }

    /** Parses {@code IP[/prefix]}. */
    public static Cidr parseCidr(String s, int offset) {
        int slash = s.indexOf('/');
        String ip = slash < 0 ? s : s.substring(0, slash);
        byte[] a = parseIp(ip);
        if (a == null) {
            throw new AddressException(offset, "invalid address `" + ip + "`", ADDR_EXPECTED);
        }
        int max = a.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                    || Integer.parseInt(p) > max) {
                throw new AddressException(offset + slash + 1, "invalid prefix length `" + p + "`",
                        "a prefix length 0-" + max);
            }
            prefix = Integer.parseInt(p);
        }
        return new Cidr(a, prefix);
    }

    /** Parses a literal IPv4 or IPv6 address without any name lookup; null if invalid. */
    public static byte[] parseIp(String s) {
        if (s.indexOf(':') >= 0) return parseV6(s);
        return parseV4(s);
    }

    private static byte[] parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')) return null;
            int v = Integer.parseInt(p);
            if (v > 255) return null;
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte[] parseV6(String s) {
        if (s.isEmpty()) return null;
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) return null;
        List<Integer> head = new ArrayList<>(), tail = new ArrayList<>();
        String h = dbl < 0 ? s : s.substring(0, dbl);
        String t = dbl < 0 ? "" : s.substring(dbl + 2);
        if (!groups(h, head, dbl < 0 || t.isEmpty())) return null;
        if (dbl >= 0 && !groups(t, tail, true)) return null;
        int total = head.size() + tail.size();
        if (dbl < 0 ? total != 8 : total > 7) return null;
        byte[] out = new byte[16];
        int i = 0;
        for (int g : head) {
            out[i++] = (byte) (g >> 8);
            out[i++] = (byte) g;
        }
        i = 16 - tail.size() * 2;
        for (int g : tail) {
            out[i++] = (byte) (g >> 8);
            out[i++] = (byte) g;
        }
        return out;
    }

    /** Hex groups separated by ':'; the last may be a dotted quad (two groups) if allowed. */
    private static boolean groups(String s, List<Integer> out, boolean v4Allowed) {
        if (s.isEmpty()) return true;
        String[] parts = s.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && v4Allowed && p.indexOf('.') >= 0) {
                byte[] v4 = parseV4(p);
                if (v4 == null) return false;
                out.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
                out.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
                continue;
            }
            if (p.isEmpty() || p.length() > 4) return false;
            for (int k = 0; k < p.length(); k++) if (Character.digit(p.charAt(k), 16) < 0) return false;
            out.add(Integer.parseInt(p, 16));
        }
        return true;
    }

    /** Formats 4 or 16 address bytes (IPv6 compressed as RFC 5952 recommends). */
    public static String format(byte[] a) {
        if (a.length == 4) return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        boolean mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff;
        if (mapped) return "::ffff:" + (a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestLen = j - i;
                bestStart = i;
            }
            i = j;
        }
        if (bestLen < 2) bestStart = -1;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** An InetAddress as (v4 bytes or null, v6 bytes or null); IPv4-mapped IPv6 gives both. */
    static byte[][] split(InetAddress addr) {
        byte[] b = addr.getAddress();
        if (addr instanceof Inet4Address || b.length == 4) return new byte[][] {b, null};
        boolean mapped = true;
        for (int i = 0; i < 10; i++) if (b[i] != 0) mapped = false;
        if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return new byte[][] {Arrays.copyOfRange(b, 12, 16), b};
        }
        return new byte[][] {null, b};
    }
}
