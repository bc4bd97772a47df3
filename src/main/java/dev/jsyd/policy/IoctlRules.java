package dev.jsyd.policy;

import dev.jsyd.abi.Ioctls;
import dev.jsyd.policy.Values.ValueException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Ioctl sandboxing's requests: how {@code allow/ioctl+…} patterns are written (names of
 * {@link Ioctls}, any case, or numbers; comma lists) and the requests allowed when no rule names
 * them (Syd's default allow list, {@code syd-ls ioctl}).
 */
public final class IoctlRules {
    private IoctlRules() {}

    /**
     * The requests allowed by default when ioctl sandboxing is on: fd flags and queue sizes, the
     * terminal settings of the program's own terminals (job control included), file attribute and
     * extent queries, extent sharing between files the program holds, block-device geometry and
     * network-interface queries, the entropy count. Not here: requests that change devices, file
     * systems, interfaces, routes or consoles, virtual machines, and the terminal requests that are
     * refused whatever the policy (input injection and the like; {@code kernel.Hardening}).
     */
    public static final List<String> DEFAULT_ALLOW = List.of(
            // the commonest first: the filter compares in this order
            "TCGETS", "TIOCGWINSZ", "FIONREAD", "FIOCLEX", "FIONCLEX", "FIONBIO", "TIOCGPGRP", "TIOCSPGRP",
            "TCSETS", "TCSETSW", "TCSETSF", "TCGETA", "TCSETA", "TCSETAW", "TCSETAF", "TCGETS2", "TCSETS2",
            "TCSETSW2", "TCSETSF2", "TIOCSWINSZ", "TCSBRK", "TCSBRKP", "TIOCSBRK", "TIOCCBRK", "TCFLSH", "TIOCOUTQ",
            "TIOCGSID", "TIOCGPTN", "TIOCSPTLCK", "TIOCGPTLCK", "TIOCGPTPEER", "TIOCGDEV", "TIOCGETD", "TIOCEXCL",
            "TIOCNXCL", "TIOCGEXCL", "TIOCPKT", "TIOCGPKT", "TIOCSIG", "TIOCSCTTY", "TIOCNOTTY", "TIOCMGET",
            "TIOCGSOFTCAR", "TIOCGLCKTRMIOS", "FIOASYNC", "FIOQSIZE", "FIOGETOWN", "SIOCGPGRP", "SIOCATMARK",
            "SIOCGSTAMP", "SIOCGSTAMPNS", "SIOCOUTQNSD",
            "FS_IOC_GETFLAGS", "FS_IOC_GETVERSION", "FS_IOC_FSGETXATTR", "FS_IOC_FIEMAP", "FIGETBSZ",
            "FS_IOC_GETFSLABEL", "FS_IOC_GETFSUUID", "FS_IOC_GETFSSYSFSPATH", "FICLONE", "FICLONERANGE",
            "FIDEDUPERANGE",
            "BLKGETSIZE", "BLKGETSIZE64", "BLKSSZGET", "BLKBSZGET", "BLKPBSZGET", "BLKIOMIN", "BLKIOOPT",
            "BLKALIGNOFF", "BLKROGET", "BLKRAGET", "BLKFRAGET", "BLKSECTGET", "BLKDISCARDZEROES", "BLKROTATIONAL",
            "BLKGETDISKSEQ",
            "SIOCGIFNAME", "SIOCGIFCONF", "SIOCGIFFLAGS", "SIOCGIFADDR", "SIOCGIFDSTADDR", "SIOCGIFBRDADDR",
            "SIOCGIFNETMASK", "SIOCGIFMETRIC", "SIOCGIFMTU", "SIOCGIFHWADDR", "SIOCGIFINDEX", "SIOCGIFTXQLEN",
            "SIOCGIFMAP", "SIOCGIFPFLAGS", "SIOCGIFCOUNT",
            "RNDGETENTCNT");

    /** The numbers of {@link #DEFAULT_ALLOW}, in its order. */
    public static final List<Long> DEFAULT_ALLOW_NUMBERS = numbers(DEFAULT_ALLOW);

    private static List<Long> numbers(List<String> names) {
        Set<Long> out = new LinkedHashSet<>();
        for (String n : names) out.add(Ioctls.number(n).orElseThrow(() -> new ExceptionInInitializerError("unknown ioctl " + n)));
        return Collections.unmodifiableList(new ArrayList<>(out));
    }

    /**
     * The normalised form of an ioctl pattern: a comma list of requests, each a known name (upper
     * case) or a number ({@code 0x…}); throws ValueException with the offset of the bad request.
     */
    public static String normalise(String v) {
        List<String> out = new ArrayList<>();
        int off = 0;
        for (String item : v.split(",", -1)) {
            out.add(normaliseOne(item, off));
            off += item.length() + 1;
        }
        return String.join(",", out);
    }

    private static String normaliseOne(String item, int off) {
        if (item.isEmpty()) throw new ValueException(off, "empty ioctl request", "a request name such as TCGETS or a number");
        if (Character.isDigit(item.charAt(0))) {
            long n;
            try {
                n = item.startsWith("0o") ? Long.parseLong(item.substring(2), 8) : Values.parseUnsigned(item);
            } catch (RuntimeException e) {
                throw new ValueException(off, "invalid ioctl request `" + item + "`", "a number (0x… hex, 0o… octal, decimal) or a name");
            }
            if (n > 0xffffffffL) throw new ValueException(off, "ioctl request `" + item + "` is wider than 32 bits", "a 32-bit request number");
            return "0x" + Long.toHexString(n);
        }
        String up = item.toUpperCase(Locale.ROOT);
        if (Ioctls.number(up).isEmpty()) {
            throw new ValueException(off, "unknown ioctl request `" + item + "`", "a request name (syd-ls ioctl lists them) or a number",
                    Suggest.nearest(up, Ioctls.names()));
        }
        return up;
    }

    /** The request number of one normalised request (a name or {@code 0x…}). */
    public static long number(String request) {
        if (request.startsWith("0x")) return Long.parseUnsignedLong(request.substring(2), 16);
        OptionalLong n = Ioctls.number(request);
        if (n.isEmpty()) throw new IllegalArgumentException("unknown ioctl request " + request);
        return n.getAsLong();
    }

    /** The requests of a normalised pattern, one per comma item. */
    public static List<String> split(String pattern) { return List.of(pattern.split(",")); }

    /** The name of a request for logs and tips: its name when known, else {@code 0x…}. */
    public static String display(long request) {
        String n = Ioctls.name(request);
        return n != null ? n : "0x" + Long.toHexString(request & 0xffffffffL);
    }
}
