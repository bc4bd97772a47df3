package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading a thread's credentials from /proc/TID/status. */
class IdentitiesTest {
    static final String STATUS = """
            Name:\tprobe
            Umask:\t0022
            State:\tR (running)
            Tgid:\t400
            Pid:\t401
            Uid:\t0\t65534\t0\t65534
            Gid:\t0\t100\t0\t100
            FDSize:\t64
            Groups:\t1 2 4294967294\s
            CapInh:\t0000000000000000
            CapPrm:\t00000000000004ff
            CapEff:\t000000000000043f
            """;

    @Test
    void parsesIdsGroupsAndCapabilities() {
        Identities.Task t = Identities.parse(401, STATUS);
        assertThat(t.tgid()).isEqualTo(400);
        assertThat(t.uids()).containsExactly(0, 65534, 0, 65534);
        assertThat(t.identity().fsuid()).isEqualTo(65534);
        assertThat(t.identity().fsgid()).isEqualTo(100);
        assertThat(t.identity().groups()).containsExactly(1, 2, -2);
        assertThat(t.identity().capEff()).isEqualTo(0x43f);
        assertThat(t.ownUid(65534)).isTrue();
        assertThat(t.ownUid(1000)).isFalse();
        // access(2): the real ids, and root's permitted set.
        assertThat(t.accessIdentity().fsuid()).isZero();
        assertThat(t.accessIdentity().capEff()).isEqualTo(0x4ff);
    }

    @Test
    void emptyGroupsAndMissingFields() {
        Identities.Task t = Identities.parse(5, STATUS.replace("Groups:\t1 2 4294967294 ", "Groups:\t"));
        assertThat(t.identity().groups()).isEmpty();
        assertThat(Identities.parse(5, STATUS.replace("CapEff", "CapXxx"))).isNull();
        Identities.Task user = Identities.parse(5, STATUS.replace("Uid:\t0\t65534", "Uid:\t1000\t65534"));
        assertThat(user.accessIdentity().capEff()).as("no capabilities for a real uid other than 0").isZero();
    }

    @Test
    void malformedNumbersAreRefused() {
        assertThat(Identities.parse(5, STATUS.replace("Uid:\t0\t65534", "Uid:\t0x\t65534"))).isNull();
        assertThat(Identities.parse(5, STATUS.replace("CapEff:\t000000000000043f", "CapEff:\t10000000000000000"))).as("beyond 64 bits").isNull();
        assertThat(Identities.parse(5, STATUS.replace("Gid:\t0\t100\t0\t100", "Gid:\t0\t100\t0"))).isNull();
        assertThat(Identities.parse(5, "Tgid:\t5\n" + STATUS.substring(STATUS.indexOf("Pid:")))).as("a record starting with a key").isNotNull();
    }

    @Test
    void aNewTaskTakesItsCreatorsEntryOnlyWhenEntriesAreKept() throws Exception {
        Identities kept = new Identities(false, false);
        try (dev.jsyd.sys.Files files = new dev.jsyd.sys.Files()) {
            int self = (int) ProcessHandle.current().pid();
            Identities.Task parent = kept.of(files, self);
            kept.inherit(self, 999_999_999, 999_999_999);
            Identities.Task child = kept.of(files, 999_999_999); // no such task: a read would fail with ESRCH
            assertThat(child.tid()).isEqualTo(999_999_999);
            assertThat(child.tgid()).isEqualTo(999_999_999);
            assertThat(child.identity()).isSameAs(parent.identity());
            assertThat(child.accessIdentity()).isSameAs(parent.accessIdentity());
            kept.inherit(123_456_789, 999_999_998, 999_999_998); // a creator without an entry: nothing to copy
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> kept.of(files, 999_999_998))
                    .isInstanceOf(dev.jsyd.sys.ErrnoException.class);

            Identities none = new Identities(true, true); // user namespaces made unseen: nothing kept
            none.of(files, self);
            none.inherit(self, 999_999_999, 999_999_999);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> none.of(files, 999_999_999))
                    .isInstanceOf(dev.jsyd.sys.ErrnoException.class);
        }
    }
}
