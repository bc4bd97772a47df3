package dev.jsyd.policy;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Syd 3.52's sandbox categories. {@link #sydName()} gives the name used in commands. */
public enum Category {
    WALK("walk", Kind.PATH), STAT("stat", Kind.PATH), READ("read", Kind.PATH), WRITE("write", Kind.PATH),
    EXEC("exec", Kind.PATH), IOCTL("ioctl", Kind.NAME), CREATE("create", Kind.PATH), DELETE("delete", Kind.PATH),
    RENAME("rename", Kind.PATH), SYMLINK("symlink", Kind.PATH), TRUNCATE("truncate", Kind.PATH),
    CHDIR("chdir", Kind.PATH), READDIR("readdir", Kind.PATH), MKDIR("mkdir", Kind.PATH), RMDIR("rmdir", Kind.PATH),
    CHOWN("chown", Kind.PATH), CHGRP("chgrp", Kind.PATH), CHMOD("chmod", Kind.PATH), CHATTR("chattr", Kind.PATH),
    CHROOT("chroot", Kind.PATH), NOTIFY("notify", Kind.PATH), UTIME("utime", Kind.PATH),
    MKBDEV("mkbdev", Kind.PATH), MKCDEV("mkcdev", Kind.PATH), MKFIFO("mkfifo", Kind.PATH), MKTEMP("mktemp", Kind.PATH),
    /** Filesystem-type sandboxing; rules name filesystem types ({@code allow/fs+tmpfs}). */
    FS("fs", Kind.NAME),
    NET_BIND("net/bind", Kind.NET), NET_CONNECT("net/connect", Kind.NET), NET_SENDFD("net/sendfd", Kind.NET),
    /** Netlink families; rules name families ({@code allow/net/link+route}). */
    NET_LINK("net/link", Kind.NAME),
    /** Landlock. Rules are {@code allow/lock/<right>+...}. */
    LOCK("lock", Kind.SPECIAL), MEM("mem", Kind.SPECIAL), PID("pid", Kind.SPECIAL), FORCE("force", Kind.SPECIAL),
    TPE("tpe", Kind.SPECIAL), CRYPT("crypt", Kind.SPECIAL), PROXY("proxy", Kind.SPECIAL), PTY("pty", Kind.SPECIAL),
    /** Default action only. */
    SEGVGUARD("segvguard", Kind.SPECIAL),
    /** IP blocklist; default action only, entries via {@code block+}. */
    BLOCK("block", Kind.SPECIAL);

    /** How a category's rules are written. */
    public enum Kind {
        /** rules are absolute path globs */
        PATH,
        /** rules are addresses: IP/CIDR with ports, UNIX path globs, {@code @abstract} globs */
        NET,
        /** rules are names or numbers (ioctl requests, filesystem types, netlink families) */
        NAME,
        /** no {@code <action>/<cat>+} rules */
        SPECIAL
    }

    private final String sydName;
    private final Kind kind;

    Category(String sydName, Kind kind) {
        this.sydName = sydName;
        this.kind = kind;
    }

    public String sydName() { return sydName; }

    public Kind kind() { return kind; }

    public boolean isPath() { return kind == Kind.PATH; }

    public boolean isNet() { return kind == Kind.NET; }

    /** True if {@code <action>/<cat>+pattern} rules exist for this category. */
    public boolean hasRules() { return kind != Kind.SPECIAL; }

    /** True if {@code sandbox/<cat>:on|off} is accepted. */
    public boolean canToggle() { return this != SEGVGUARD && this != BLOCK; }

    public static Optional<Category> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** Category group names (Syd's convenience sets) and what they stand for. */
    public static Map<String, Set<Category>> aliases() { return ALIASES; }

    /** A category or an alias of several. Empty if unknown. */
    public static Optional<Set<Category>> resolve(String name) {
        Category c = BY_NAME.get(name);
        if (c != null) return Optional.of(EnumSet.of(c));
        return Optional.ofNullable(ALIASES.get(name));
    }

    /** Every category and alias name, for suggestions. */
    public static List<String> allNames() {
        var names = new java.util.ArrayList<String>(BY_NAME.keySet());
        names.addAll(ALIASES.keySet());
        return names;
    }

    private static final Map<String, Category> BY_NAME = new LinkedHashMap<>();
    private static final Map<String, Set<Category>> ALIASES = new LinkedHashMap<>();

    static {
        for (Category c : values()) BY_NAME.put(c.sydName, c);
        EnumSet<Category> all = EnumSet.noneOf(Category.class);
        for (Category c : values()) if (c.hasRules()) all.add(c);
        ALIASES.put("all", Set.copyOf(all));
        ALIASES.put("lpath", EnumSet.of(WALK, STAT, CHDIR));
        ALIASES.put("rpath", EnumSet.of(READ, READDIR));
        ALIASES.put("wpath", EnumSet.of(WRITE, TRUNCATE));
        ALIASES.put("cpath", EnumSet.of(CREATE, DELETE, RENAME));
        ALIASES.put("dpath", EnumSet.of(MKBDEV, MKCDEV));
        ALIASES.put("spath", EnumSet.of(MKFIFO, SYMLINK));
        ALIASES.put("tpath", EnumSet.of(MKDIR, RMDIR));
        ALIASES.put("fown", EnumSet.of(CHOWN, CHGRP));
        ALIASES.put("fattr", EnumSet.of(CHMOD, CHATTR, UTIME));
        ALIASES.put("net", EnumSet.of(NET_BIND, NET_CONNECT, NET_SENDFD));
        ALIASES.put("inet", EnumSet.of(NET_BIND, NET_CONNECT));
        ALIASES.replaceAll((k, v) -> java.util.Collections.unmodifiableSet(EnumSet.copyOf(v)));
    }

    @Override public String toString() { return sydName; }
}
