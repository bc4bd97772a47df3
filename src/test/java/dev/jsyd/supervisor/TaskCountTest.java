package dev.jsyd.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The tracer's task count for pid/max: live tasks plus reserved creations, the first task excluded. */
class TaskCountTest {
    @Test
    void reservationsCountUntilTheNewTaskIsSeenOrRefused() {
        TaskCount t = new TaskCount(100);
        assertThat(t.created()).isZero();
        assertThat(t.mayCreate(2)).isTrue();
        t.reserve(100); // the first task forks
        t.reserve(100); // ... and again, from the same thread id, before the first is seen: one reservation
        assertThat(t.created()).isEqualTo(1);
        t.seen(101); // its child's first stop may come before the fork event
        assertThat(t.created()).as("reserved and seen: counted twice for a moment, never less").isEqualTo(2);
        t.settle(100); // the fork event
        assertThat(t.created()).isEqualTo(1);
        t.reserve(101);
        assertThat(t.mayCreate(2)).isFalse();
        t.settle(101); // the kernel refused it: the syscall-exit stop
        assertThat(t.mayCreate(2)).isTrue();
    }

    @Test
    void tasksThatGoFreeTheirPlace() {
        TaskCount t = new TaskCount(1);
        for (int i = 2; i < 6; i++) t.seen(i);
        assertThat(t.created()).isEqualTo(4);
        t.gone(3);
        t.reserve(4);
        t.gone(4); // a task that dies at its fork gives its reservation back too
        assertThat(t.created()).isEqualTo(2);
        t.gone(1); // the first process exits: its children still count
        assertThat(t.created()).isEqualTo(2);
        assertThat(t.live()).containsExactlyInAnyOrder(2, 5);
    }

    @Test
    void deadTasksWhoseExitIsStillQueuedCanBePruned() {
        TaskCount t = new TaskCount(1);
        for (int i = 2; i < 6; i++) t.seen(i);
        t.prune(tid -> tid == 3 || tid == 4);
        assertThat(t.live()).containsExactlyInAnyOrder(1, 2, 5);
        assertThat(t.created()).isEqualTo(2);
    }
}
