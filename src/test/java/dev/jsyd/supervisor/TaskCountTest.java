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

    @Test
    void aNewTaskIsKnownUnrunOnlyWhenNoStopOfItAndNoEarlierEventCanBeMistakenForIts() {
        TaskCount t = new TaskCount(1);
        // The creator's event first: the child has not run.
        assertThat(t.created(2)).isEqualTo(TaskCount.NewTask.NOT_RUN);
        assertThat(t.seen(2)).as("its first stop after the event").isFalse();
        // The child's first stop first: held, then its own event.
        assertThat(t.seen(3)).isTrue();
        assertThat(t.holdForCreator(3)).isTrue();
        assertThat(t.anyHeld()).isTrue();
        assertThat(t.created(3)).isEqualTo(TaskCount.NewTask.HELD);
        assertThat(t.anyHeld()).isFalse();
        // First stop, released unheld (an exit let every held task go): it ran.
        t.seen(4);
        t.holdForCreator(4);
        assertThat(t.releaseHeld()).containsExactly(4);
        assertThat(t.created(4)).isEqualTo(TaskCount.NewTask.UNSURE);
    }

    @Test
    void anEventOfADeadTaskIsNeverTakenForTheEventOfALaterTaskWithItsId() {
        TaskCount t = new TaskCount(1);
        // Task 5 stopped first and ran (not held); it dies before its creator's event comes.
        t.seen(5);
        assertThat(t.holdForCreator(5)).isTrue();
        t.releaseHeld();
        t.gone(5);
        // A later task takes id 5: its first stop may not be held, since the next event naming 5
        // is the dead task's, and would give the new one the dead task's creator's credentials.
        assertThat(t.seen(5)).isTrue();
        assertThat(t.holdForCreator(5)).isFalse();
        assertThat(t.created(5)).as("the dead task's late event").isEqualTo(TaskCount.NewTask.UNSURE);
        assertThat(t.created(5)).as("the new task's own event: it ran").isEqualTo(TaskCount.NewTask.UNSURE);

        // Task 6 killed before any stop of it was met; a later task 6 whose event comes first.
        t.gone(6);
        assertThat(t.created(6)).as("which of the two events is this one cannot be told").isEqualTo(TaskCount.NewTask.UNSURE);
        // Task 7 killed while held: its event still to come.
        t.seen(7);
        t.holdForCreator(7);
        t.gone(7);
        assertThat(t.anyHeld()).isFalse();
        assertThat(t.seen(7)).isTrue();
        assertThat(t.holdForCreator(7)).isFalse();
    }

    @Test
    void aTaskWhoseCreationEventWasTakenForADeadOnesIsNeverHeld() {
        TaskCount t = new TaskCount(1);
        // The tracer took an event naming 8 for that of a task 8 that ended unannounced (e.g. the
        // initial process, which has no creation event, or a task whose creator was killed): if it
        // was in fact a new task 8's own event, its first stop must not wait for another one.
        assertThat(t.createdGone(8)).isFalse();
        assertThat(t.seen(8)).isTrue();
        assertThat(t.holdForCreator(8)).as("held forever: its event is consumed").isFalse();
        // A task held at its first stop when an event naming it is taken as a dead one's is released.
        t.seen(9);
        assertThat(t.holdForCreator(9)).isTrue();
        assertThat(t.createdGone(9)).isTrue();
        assertThat(t.anyHeld()).isFalse();
    }
}
