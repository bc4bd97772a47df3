package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The registry of the sandbox's tasks: identity, never a pid number, decides. */
class MembersTest {
    @Test
    void theInitialProcessIsAnIdentityNotANumber() {
        Members m = new Members();
        Members.Proc initial = m.addInitial(100);
        assertThat(m.isInitial(100)).isTrue();
        m.add(101, 100); // one of its threads
        assertThat(m.isInitial(101)).isTrue();
        m.add(200, 200); // a child process
        assertThat(m.isInitial(200)).isFalse();
        assertThat(m.processCount()).isEqualTo(2);
        m.remove(101);
        assertThat(m.remove(100)).isSameAs(initial);
        assertThat(m.isInitial(100)).isFalse();
        assertThat(m.isMember(100)).isFalse();
        // A later process that gets the same pid is a new, ordinary member.
        Members.Proc reuser = m.add(100, 100);
        assertThat(reuser).isNotSameAs(initial);
        assertThat(m.isInitial(100)).isFalse();
        assertThat(m.processCount()).isEqualTo(2);
    }

    @Test
    void seeingATaskTwiceChangesNothing() {
        Members m = new Members();
        m.addInitial(10);
        Members.Proc child = m.add(20, 20);
        assertThat(m.add(20, 20)).isSameAs(child); // the parent's fork event after the child's first stop
        assertThat(m.processCount()).isEqualTo(2);
        assertThat(m.add(21, 20)).isSameAs(child);
        assertThat(m.tgid(21)).isEqualTo(20);
        assertThat(m.isProcess(21)).isFalse();
        assertThat(m.isProcess(20)).isTrue();
    }

    @Test
    void aThreadOfAProcessThatIsNoMemberIsNotRegistered() {
        Members m = new Members();
        assertThat(m.add(31, 30)).isNull();
        assertThat(m.isMember(31)).isFalse();
    }

    @Test
    void aThreadThatExecsTakesTheLeadersIdAndItsOldIdIsGone() {
        Members m = new Members();
        Members.Proc p = m.addInitial(50);
        m.add(51, 50);
        m.execed(50, 51);
        assertThat(m.isMember(51)).isFalse();
        assertThat(m.process(50)).isSameAs(p);
        assertThat(m.isInitial(50)).as("the same process, across its exec").isTrue();
        assertThat(m.processCount()).isEqualTo(1);
    }

    @Test
    void theTracerReapsOnlyWhileNoHandlerHoldsAPin() throws Exception {
        Members m = new Members();
        m.addInitial(60);
        m.pinned().lock();
        Thread tracer = new Thread(() -> {
            m.reaping().lock();
            try {
                m.remove(60);
            } finally {
                m.reaping().unlock();
            }
        });
        tracer.start();
        tracer.join(200);
        assertThat(tracer.isAlive()).as("waits for the pin").isTrue();
        assertThat(m.isMember(60)).isTrue();
        m.pinned().unlock();
        tracer.join(5000);
        assertThat(m.isMember(60)).isFalse();
    }
}
