package dev.jsyd.policy;

import dev.jsyd.policy.Values.Unset;
import java.util.ArrayList;
import java.util.List;

/** The machine-readable list of every command jsyd accepts (for {@code syd --api}). */
public final class Api {
    private Api() {}

    /** The command API version (syd(2): 3, stable). */
    public static final int VERSION = 3;

    /**
     * One command.
     *
     * @param name         the command name, e.g. {@code sandbox/read}, {@code allow/net/connect}, {@code bind}
     * @param type         the value type, e.g. {@code boolean}, {@code action}, {@code path-glob list}
     * @param operators    the operators accepted: any of {@code :}, {@code ?}, {@code +}, {@code -}, {@code ^}, {@code !}, or a space
     * @param defaultValue the default as the parser accepts it, or null when there is none
     * @param enforced     true if jsyd enforces it today; false if it is parsed and stored only
     */
    public record Entry(String name, String type, String operators, String defaultValue, boolean enforced) {}

    public static List<Entry> commands() {
        List<Entry> out = new ArrayList<>();
        Sandbox d = Policy.defaults().snapshot();
        for (Category c : Category.values()) {
            boolean enforced = Support.category(c);
            if (c.canToggle()) out.add(new Entry("sandbox/" + c.sydName(), "boolean", ":?", d.enabled(c) ? "on" : "off", enforced));
            out.add(new Entry("default/" + c.sydName(), "action", ":", d.defaultAction(c).sydName(), enforced));
        }
        for (Category c : Category.values()) {
            if (!c.hasRules()) continue;
            String type = switch (c.kind()) {
                case PATH -> "path-glob list";
                case NET -> "address list";
                default -> c == Category.IOCTL ? "ioctl-request list" : "name list";
            };
            for (Action a : Action.values()) {
                out.add(new Entry(a.sydName() + "/" + c.sydName(), type, "+-^", null, Support.rules(c)));
            }
        }
        for (String r : Parser.LOCK_RIGHTS) {
            boolean net = r.equals("bind") || r.equals("connect");
            out.add(new Entry("allow/lock/" + r, net ? "port-range list" : "path list", "+-^", null, true));
        }
        for (Settings.Spec s : Settings.all()) {
            Object v = s.defaultValue();
            String dflt = v == null || v == Unset.NONE ? null : Settings.format(s, v);
            String ops = s.type() == Settings.Type.BOOL ? ":?" : ":";
            Boolean only = Settings.holdsOnly(s.key());
            String type = only == null ? s.type().apiName() : s.type().apiName() + " (" + only + " only)";
            out.add(new Entry(s.key(), type, ops, dflt, Support.setting(s.key())));
        }
        out.add(new Entry("bind", "bind-mount list", "+-^", null, Support.list("bind")));
        out.add(new Entry("mask", "path-glob list", "+-^", null, Support.list("mask")));
        out.add(new Entry("append", "path-glob list", "+-^", null, Support.list("append")));
        out.add(new Entry("crypt", "path-glob list", "+-^", null, Support.list("crypt")));
        out.add(new Entry("force", "verified-exec map", "+-^", null, Support.list("force")));
        out.add(new Entry("setuid", "id-transition list", "+-^", null, Support.list("setuid")));
        out.add(new Entry("setgid", "id-transition list", "+-^", null, Support.list("setgid")));
        out.add(new Entry("block", "cidr list", "+-^", null, Support.list("block")));
        out.add(new Entry("include", "path", " ", null, true));
        out.add(new Entry("include_profile", "profile", " ", null, true));
        out.add(new Entry("cmd/exec", "command", "!", null, true));
        for (String s : Parser.SPECIALS) out.add(new Entry(s, "command", "", null, Support.special(s)));
        return out;
    }
}
