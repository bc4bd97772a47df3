package dev.jsyd.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The built-in profiles, stored as resource files {@code dev/jsyd/profiles/NAME.syd-3}. */
public final class Profiles {
    private Profiles() {}

    private static final List<String> NAMES = List.of(
            "container", "core", "debug", "immutable", "landlock", "lib", "linux", "noipv4", "noipv6", "nomem",
            "nopie", "off", "paludis", "privileged", "quiet", "silent", "trace", "tty", "user");

    /** Every profile name, sorted. */
    public static List<String> names() { return NAMES; }

    public static boolean exists(String name) { return NAMES.contains(name); }

    /** The profile's text, one command per line (comments kept). */
    public static String text(String name) {
        if (!exists(name)) throw new IllegalArgumentException("no profile " + name);
        try (InputStream in = Profiles.class.getResourceAsStream("/dev/jsyd/profiles/" + name + ".syd-3")) {
            if (in == null) throw new IllegalStateException("profile resource missing: " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read profile " + name, e);
        }
    }

    /** The profile's lines (UTF-8 text, as written). */
    public static List<String> lines(String name) {
        return new ArrayList<>(text(name).lines().toList());
    }
}
