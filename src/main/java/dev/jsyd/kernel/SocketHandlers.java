package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import java.util.List;

/**
 * socket: which kinds of socket a sandboxed program may create. UNIX, IPv4 and IPv6 sockets are
 * allowed (their addresses are checked at bind/connect/send); raw IP sockets and packet sockets
 * need {@code trace/allow_unsafe_socket}; AF_ALG needs {@code trace/allow_safe_kcapi}; netlink
 * sockets are allowed for NETLINK_ROUTE, or for the families {@code net/link} allows when that
 * category is on; every other family needs {@code trace/allow_unsupp_socket}. A refusal is
 * logged with a tip and answered EAFNOSUPPORT (EACCES for a {@code net/link} denial).
 *
 * <p>The arguments are scalars (registers the program cannot change once it is in the call), so
 * an allowed socket() is answered with CONTINUE (docs/EMULATION.md).
 */
public final class SocketHandlers {
    private SocketHandlers() {}


    static final int SOCK_RAW = 3, SOCK_PACKET = 10, SOCK_TYPE_MASK = 0xf;

    private static final String[] NETLINK = {"route", null, "usersock", "firewall", "sock_diag", "nflog", "xfrm",
        "selinux", "iscsi", "audit", "fib_lookup", "connector", "netfilter", "ip6_fw", "dnrtmsg", "kobject_uevent",
        "generic", null, "scsitransport", "ecryptfs", "rdma", "crypto", "smc"};

    /** The name {@code net/link} rules use for a netlink protocol number. */
    static String netlinkName(int proto) {
        return proto >= 0 && proto < NETLINK.length && NETLINK[proto] != null ? NETLINK[proto] : Integer.toString(proto);
    }

    public static void socket(Request r) {
        int domain = (int) r.arg(0), type = (int) r.arg(1) & SOCK_TYPE_MASK, proto = (int) r.arg(2);
        Sandbox sb = r.sandbox();
        String flag = null;
        switch (domain) {
            case SockaddrDecoder.AF_UNIX -> { }
            case SockaddrDecoder.AF_INET, SockaddrDecoder.AF_INET6 -> {
                if (type == SOCK_RAW || type == SOCK_PACKET) flag = "trace/allow_unsafe_socket";
            }
            case SockaddrDecoder.AF_PACKET -> flag = "trace/allow_unsafe_socket";
            case SockaddrDecoder.AF_ALG -> flag = "trace/allow_safe_kcapi";
            case SockaddrDecoder.AF_NETLINK -> {
                if (sb.enabled(Category.NET_LINK)) {
                    String name = netlinkName(proto);
                    Action act = sb.checkName(Category.NET_LINK, name);
                    if (r.enforceNet(Category.NET_LINK, act, "socket", name, 0, null)) {
                        r.fail(Errno.EACCES);
                        return;
                    }
                } else if (proto != 0) {
                    flag = "trace/allow_unsupp_socket";
                }
            }
            default -> flag = "trace/allow_unsupp_socket";
        }
        if (flag != null && !sb.flag(flag)) {
            String what = "family " + domain + " type " + type + " protocol " + proto;
            if (r.enforceNet(null, Action.DENY, "socket", what, 0, "configure `" + flag + ":1'")) {
                r.fail(Errno.EAFNOSUPPORT);
                return;
            }
        }
        r.continueSyscall();
    }
}
